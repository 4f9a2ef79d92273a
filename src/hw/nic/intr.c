/*
 * Interrupt causes, masks and moderation (82576.md section 5): ICR for the PF's "other" causes,
 * EICR/EICS/EIMS/EIMC/EIAC/EIAM per function (the VF's at the PF-side mirrors), IVAR routing of
 * queue events to vectors, and EITR throttling on deadlines the engine sleeps until.
 *
 * A vector's message goes out when its cause becomes set while enabled (or is enabled while set),
 * once per assertion: a cause that stays set sends nothing more until it is cleared (by reading
 * EICR, writing 1 to it, or EIAC's auto-clear after the message).
 */
#include "hw/nic/nic.h"
#include "lib/compiler.h"

#define PF_VEC_MASK ((1u << E82576_PF_VECTORS) - 1)
#define VF_VEC_MASK ((1u << E82576_VF_VECTORS) - 1)

/* Per-function view of the registers, so the PF and VF paths share the logic. */
struct intr_fn {
	struct pci_func *fn;
	struct nic_msix *msix;
	uint32_t eicr, eims, eiac, eiam; /* register offsets */
	uint32_t eitr0;                  /* offset of EITR for vector 0 */
	uint32_t *asserted;
	uint64_t *last;                  /* last message time per vector */
	uint32_t vecmask;
	bool auto_mask;
};

static struct intr_fn pf_fn(struct nic_port *p)
{
	return (struct intr_fn){
		.fn = p->pf, .msix = &p->msix_pf, .eicr = E1000_EICR, .eims = E1000_EIMS,
		.eiac = E1000_EIAC, .eiam = E1000_EIAM, .eitr0 = E1000_EITR(0),
		.asserted = &p->asserted, .last = p->itr_last_ns, .vecmask = PF_VEC_MASK,
		.auto_mask = nic_get(p, E1000_GPIE) & E1000_GPIE_EIAME,
	};
}

static struct intr_fn vf_fn(struct nic_port *p, unsigned vf)
{
	return (struct intr_fn){
		.fn = &p->nic->pci.vf[p->index][vf], .msix = &p->msix_vf[vf],
		.eicr = E1000_PVTEICR(vf), .eims = E1000_PVTEIMS(vf), .eiac = E1000_PVTEIAC(vf),
		.eiam = E1000_PVTEIAM(vf), .eitr0 = E1000_PVTEITR(vf, 0),
		.asserted = &p->vf_asserted[vf],
		.last = p->itr_last_ns + E82576_PF_VECTORS + vf * E82576_VF_VECTORS,
		.vecmask = VF_VEC_MASK, .auto_mask = true,
	};
}

static uint64_t itr_interval_ns(struct nic_port *p, const struct intr_fn *f, unsigned v)
{
	/* EITR interval bits 14:2 count microseconds (igb: 648 -> ~6000 interrupts/s). */
	return (uint64_t)((nic_get(p, f->eitr0 + 4 * v) & E1000_EITR_INTERVAL) >> 2) * 1000;
}

static void clear_causes(struct nic_port *p, const struct intr_fn *f, uint32_t bits)
{
	nic_set(p, f->eicr, nic_get(p, f->eicr) & ~bits);
	*f->asserted &= ~bits;
}

/* Send what is set, enabled, not yet sent, and not held back by EITR. */
static void deliver(struct nic_port *p, const struct intr_fn *f)
{
	uint32_t due = nic_get(p, f->eicr) & nic_get(p, f->eims) & ~*f->asserted & f->vecmask;
	uint64_t now = due ? nic__now(p->nic) : 0;

	while (due) {
		unsigned v = (unsigned)__builtin_ctz(due);
		uint32_t bit = 1u << v;
		uint64_t iv = itr_interval_ns(p, f, v);

		due &= ~bit;
		if (iv && f->last[v] && now < f->last[v] + iv)
			continue; /* nic_intr__run_timers sends it at f->last[v] + iv */
		f->last[v] = now;
		*f->asserted |= bit;
		if (nic_get(p, f->eiac) & bit)
			clear_causes(p, f, bit);
		if (f->auto_mask && (nic_get(p, f->eiam) & bit))
			nic_set(p, f->eims, nic_get(p, f->eims) & ~bit);
		nic_msix__notify(p, f->fn, f->msix, v);
	}
}

static void raise(struct nic_port *p, const struct intr_fn *f, uint32_t bits)
{
	nic_set(p, f->eicr, nic_get(p, f->eicr) | (bits & f->vecmask));
	deliver(p, f);
}

void nic_intr__raise_pf(struct nic_port *p, uint32_t bits)
{
	struct intr_fn f = pf_fn(p);

	raise(p, &f, bits);
}

void nic_intr__raise_vf(struct nic_port *p, unsigned vf, uint32_t bits)
{
	struct intr_fn f = vf_fn(p, vf);

	raise(p, &f, bits);
}

static int ivar_vector(uint8_t entry)
{
	return entry & E1000_IVAR_VALID ? entry & 0x1f : -1;
}

void nic_intr__raise_icr(struct nic_port *p, uint32_t causes)
{
	uint32_t icr = nic_get(p, E1000_ICR) | causes;
	int v = ivar_vector((uint8_t)(nic_get(p, E1000_IVAR_MISC) >> 8));

	/* INT_ASSERTED says an enabled cause is pending (igb's legacy handler tests it). */
	if (icr & nic_get(p, E1000_IMS) & ~E1000_ICR_INT_ASSERTED)
		icr |= E1000_ICR_INT_ASSERTED;
	nic_set(p, E1000_ICR, icr);
	/* Every "other" cause folds into the vector IVAR_MISC byte 1 names. */
	if ((icr & nic_get(p, E1000_IMS) & ~E1000_ICR_INT_ASSERTED) && v >= 0)
		nic_intr__raise_pf(p, 1u << v);
}

void nic_intr__queue(struct nic_port *p, unsigned q, bool tx)
{
	unsigned nvf = nic_port__num_vfs(p), n = q & 7;
	int v;

	if (n < nvf) {
		/* VF n's queue 0 is PF queue n, its queue 1 is n + 8: IVAR0 row-major. */
		uint32_t ivar = nic_get(p, E1000_PVTIVAR0(n));

		v = ivar_vector((uint8_t)(ivar >> (8 * ((q >= 8) * 2 + tx))));
		if (v >= 0)
			nic_intr__raise_vf(p, n, 1u << v);
		return;
	}
	/* PF: IVAR0[q & 7] column-major: Rx q, Tx q, Rx q + 8, Tx q + 8. */
	v = ivar_vector((uint8_t)(nic_get(p, E1000_IVAR(n)) >> (8 * ((q >= 8) * 2 + tx))));
	if (v >= 0)
		nic_intr__raise_pf(p, 1u << v);
}

static uint64_t fn_deadline(struct nic_port *p, const struct intr_fn *f)
{
	uint32_t due = nic_get(p, f->eicr) & nic_get(p, f->eims) & ~*f->asserted & f->vecmask;
	uint64_t next = UINT64_MAX;

	while (due) {
		unsigned v = (unsigned)__builtin_ctz(due);

		due &= due - 1;
		if (f->last[v])
			next = MIN(next, f->last[v] + itr_interval_ns(p, f, v));
	}
	return next;
}

uint64_t nic_intr__next_deadline(struct nic_port *p)
{
	struct intr_fn f = pf_fn(p);
	uint64_t next = fn_deadline(p, &f);

	for (unsigned vf = 0; vf < nic_port__num_vfs(p); vf++) {
		f = vf_fn(p, vf);
		next = MIN(next, fn_deadline(p, &f));
	}
	return next;
}

void nic_intr__run_timers(struct nic_port *p, uint64_t now)
{
	struct intr_fn f = pf_fn(p);

	(void)now;
	deliver(p, &f);
	for (unsigned vf = 0; vf < nic_port__num_vfs(p); vf++) {
		f = vf_fn(p, vf);
		deliver(p, &f);
	}
}

/* Register semantics shared by the PF registers and the VF's. */
static uint32_t fn_rd(struct nic_port *p, const struct intr_fn *f, uint32_t reg)
{
	uint32_t v;

	if (reg == f->eicr) {
		/* Reading EICR returns the causes and clears them. */
		v = nic_get(p, f->eicr);
		clear_causes(p, f, v);
		return v;
	}
	if (reg == f->eims)
		return nic_get(p, f->eims);
	return nic_get(p, reg);
}

static void fn_wr(struct nic_port *p, const struct intr_fn *f, uint32_t reg, uint32_t val,
		  bool is_eics, bool is_eimc)
{
	if (is_eics) {
		raise(p, f, val);
	} else if (is_eimc) {
		nic_set(p, f->eims, nic_get(p, f->eims) & ~val);
	} else if (reg == f->eims) {
		nic_set(p, f->eims, (nic_get(p, f->eims) | val) & f->vecmask);
		deliver(p, f);
	} else if (reg == f->eicr) {
		clear_causes(p, f, val);
	} else if (reg == f->eiac || reg == f->eiam) {
		nic_set(p, reg, val & f->vecmask);
	} else if (reg >= f->eitr0 && reg < f->eitr0 + 4 * (32 - __builtin_clz(f->vecmask))) {
		nic_set(p, reg, val & (E1000_EITR_INTERVAL | E1000_EITR_CNT_IGNR));
		deliver(p, f);
	}
}

uint32_t nic_intr__rd(struct nic_port *p, unsigned idx)
{
	struct intr_fn f = pf_fn(p);
	uint32_t off = idx << 2, v;

	if (off == E1000_ICR) {
		v = nic_get(p, E1000_ICR);
		nic_set(p, E1000_ICR, 0);
		return v;
	}
	return fn_rd(p, &f, off);
}

void nic_intr__wr(struct nic_port *p, unsigned idx, uint32_t val)
{
	struct intr_fn f = pf_fn(p);
	uint32_t off = idx << 2;

	switch (off) {
	case E1000_ICR:
		nic_set(p, E1000_ICR, nic_get(p, E1000_ICR) & ~val);
		return;
	case E1000_ICS:
		nic_intr__raise_icr(p, val);
		return;
	case E1000_IMS:
		nic_set(p, E1000_IMS, nic_get(p, E1000_IMS) | val);
		nic_intr__raise_icr(p, 0);
		return;
	case E1000_IMC:
		nic_set(p, E1000_IMS, nic_get(p, E1000_IMS) & ~val);
		return;
	case E1000_IVAR_MISC:
		/* A cause already latched goes to the newly named vector. */
		nic_set(p, off, val);
		nic_intr__raise_icr(p, 0);
		return;
	case E1000_GPIE:
	case E1000_IAM:
		nic_set(p, off, val);
		return;
	}
	if (off >= E1000_IVAR(0) && off < E1000_IVAR(8)) {
		nic_set(p, off, val);
		return;
	}
	fn_wr(p, &f, off, val, off == E1000_EICS, off == E1000_EIMC);
}

uint32_t nic_intr__vf_rd(struct nic_port *p, unsigned vf, uint32_t off)
{
	struct intr_fn f = vf_fn(p, vf);

	switch (off) {
	case E1000_VF_EICR:
		return fn_rd(p, &f, f.eicr);
	case E1000_VF_EIMS:
		return fn_rd(p, &f, f.eims);
	case E1000_VF_EIAC:
		return nic_get(p, f.eiac);
	case E1000_VF_EIAM:
		return nic_get(p, f.eiam);
	case E1000_VF_IVAR0:
		return nic_get(p, E1000_PVTIVAR0(vf));
	case E1000_VF_IVAR_MISC:
		return nic_get(p, E1000_PVTIVAR_MISC(vf));
	}
	if (off >= E1000_VF_EITR(0) && off <= E1000_VF_EITR(2))
		return nic_get(p, E1000_PVTEITR(vf, (off - E1000_VF_EITR(0)) / 4));
	return 0; /* EICS and EIMC are write-only */
}

void nic_intr__vf_wr(struct nic_port *p, unsigned vf, uint32_t off, uint32_t val)
{
	struct intr_fn f = vf_fn(p, vf);

	switch (off) {
	case E1000_VF_EICS:
		fn_wr(p, &f, 0, val, true, false);
		return;
	case E1000_VF_EIMC:
		fn_wr(p, &f, 0, val, false, true);
		return;
	case E1000_VF_EIMS:
		fn_wr(p, &f, f.eims, val, false, false);
		return;
	case E1000_VF_EICR:
		fn_wr(p, &f, f.eicr, val, false, false);
		return;
	case E1000_VF_EIAC:
		fn_wr(p, &f, f.eiac, val, false, false);
		return;
	case E1000_VF_EIAM:
		fn_wr(p, &f, f.eiam, val, false, false);
		return;
	case E1000_VF_IVAR0:
		nic_set(p, E1000_PVTIVAR0(vf), val & 0x9f9f9f9f);
		return;
	case E1000_VF_IVAR_MISC:
		nic_set(p, E1000_PVTIVAR_MISC(vf), val & 0x9f);
		return;
	}
	if (off >= E1000_VF_EITR(0) && off <= E1000_VF_EITR(2))
		fn_wr(p, &f, E1000_PVTEITR(vf, (off - E1000_VF_EITR(0)) / 4), val, false, false);
}

void nic_intr__reset_vf(struct nic_port *p, unsigned vf)
{
	const uint32_t regs[] = {
		E1000_PVTEICR(vf),     E1000_PVTEIMS(vf),     E1000_PVTEIAC(vf),
		E1000_PVTEIAM(vf),     E1000_PVTEITR(vf, 0),  E1000_PVTEITR(vf, 1),
		E1000_PVTEITR(vf, 2),  E1000_PVTIVAR0(vf),    E1000_PVTIVAR_MISC(vf),
	};

	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
		nic_set(p, regs[i], 0);
	p->vf_asserted[vf] = 0;
	for (unsigned v = 0; v < E82576_VF_VECTORS; v++)
		p->itr_last_ns[E82576_PF_VECTORS + vf * E82576_VF_VECTORS + v] = 0;
}
