/*
 * The 82576's L2 switch between pools (82576.md sections 4 and 8): Rx pool selection for frames
 * from the wire and for VM-to-VM loopback, Tx anti-spoofing (DTXSWC), VFRE/VFTE gating.
 *
 * Rx pool selection in VMDq mode (MRQC.MRQE VMDq or VMDq+RSS), as QEMU implements it and igb
 * programs it: a unicast that hits a RAR entry (AV, destination ASEL) goes to its POOLSEL pools,
 * else by the UTA hash to pools with ROPE; a broadcast to pools with BAM; a multicast to the
 * pools of a RAR hit, else by the MTA hash to pools with ROMPE, plus pools with MPME. With
 * RCTL.VFE a tagged frame is kept only for the pools of VLVF entries of its VID, an untagged one
 * for pools with AUPE. A frame from the wire that nothing took goes to VT_CTL.DEF_PL unless
 * DIS_DEF_POOL. VFRE then gates the VFs' pools.
 *
 * Outside VMDq mode there are no pools: the PF's queue 0 takes what RCTL (UPE, MPE, BAM), the
 * RAR entries, the MTA and (with VFE) the VFTA accept, and nothing is looped back.
 */
#include "hw/nic/nic.h"
#include "lib/compiler.h"

#define E1000_RAH_ASEL_MASK   0x00030000
#define E1000_WVBR_VLAN_SHIFT 8 /* WVBR bit j: MAC spoof by pool j; bit j + 8: VLAN spoof */

bool nic_switch__vmdq(const struct nic_port *p)
{
	uint32_t mrqe = nic_get(p, E1000_MRQC) & E1000_MRQC_ENABLE_MASK;

	return mrqe == E1000_MRQC_ENABLE_VMDQ || mrqe == E1000_MRQC_ENABLE_VMDQ_RSS_2Q;
}

/*
 * Linux igb never sets the PF pool's bit in VFRE/VFTE (it writes 0 on reset, then sets bit n as
 * VF n's reset completes), and its PF keeps working with VFs: so on hardware the bits gate the
 * VFs' pools, not the PF's. QEMU gates every pool.
 */
bool nic_switch__pool_tx_enabled(struct nic_port *p, unsigned pool)
{
	return pool >= nic_port__num_vfs(p) || (nic_get(p, E1000_VFTE) & BIT(pool));
}

bool nic_switch__pool_rx_enabled(struct nic_port *p, unsigned pool)
{
	return pool >= nic_port__num_vfs(p) || (nic_get(p, E1000_VFRE) & BIT(pool));
}

void nic_switch__filters_changed(struct nic_port *p)
{
	p->dp.filters.valid = false;
}

static const struct nic_filters *filters(struct nic_port *p)
{
	struct nic_filters *t = &p->dp.filters;

	if (likely(t->valid))
		return t;
	t->nrar = t->nvlvf = 0;
	for (unsigned i = 0; i < E1000_RAR_ENTRIES; i++) {
		uint32_t rah = nic_get(p, E1000_RAH(i));

		if (!(rah & E1000_RAH_AV))
			continue;
		t->rar[t->nrar].mac = nic_get(p, E1000_RAL(i)) | (uint64_t)(rah & 0xffff) << 32;
		t->rar[t->nrar].pools = (rah & E1000_RAH_POOL_MASK) >> E1000_RAH_POOL_SHIFT;
		t->rar[t->nrar].dst = !(rah & E1000_RAH_ASEL_MASK);
		t->nrar++;
	}
	for (unsigned i = 0; i < E1000_VLVF_ENTRIES; i++) {
		uint32_t v = nic_get(p, E1000_VLVF(i));

		if (!(v & E1000_VLVF_VLANID_ENABLE))
			continue;
		t->vlvf[t->nvlvf].vid = v & E1000_VLVF_VLANID_MASK;
		t->vlvf[t->nvlvf].pools = (v & E1000_VLVF_POOLSEL_MASK) >> E1000_VLVF_POOLSEL_SHIFT;
		t->nvlvf++;
	}
	t->valid = true;
	return t;
}

static uint64_t mac_key(const uint8_t *mac)
{
	return le32_get(mac) | (uint64_t)le16_get(mac + 4) << 32;
}

/* Pools of the valid destination-address RAR entries holding mac; *hit if there is one. */
static uint32_t rar_pools(struct nic_port *p, const uint8_t *mac, bool *hit)
{
	const struct nic_filters *t = filters(p);
	uint64_t key = mac_key(mac);
	uint32_t pools = 0;

	*hit = false;
	for (unsigned i = 0; i < t->nrar; i++) {
		if (!t->rar[i].dst || t->rar[i].mac != key)
			continue;
		*hit = true;
		pools |= t->rar[i].pools;
	}
	return pools;
}

/* The 12 address bits RCTL.MO selects index the 4096-bit MTA and UTA (igb mc_filter_type). */
static bool hash_hit(const struct nic_port *p, uint32_t table, const uint8_t *mac)
{
	static const unsigned shift[4] = {4, 3, 2, 0};
	unsigned mo = (nic_get(p, E1000_RCTL) >> E1000_RCTL_MO_SHIFT) & 3;
	unsigned h = ((unsigned)(mac[4] | mac[5] << 8) >> shift[mo]) & 0xfff;

	return nic_get(p, table + 4 * (h >> 5)) & BIT(h & 31);
}

static uint32_t pools_with(const struct nic_port *p, uint32_t vmolr_bits)
{
	uint32_t pools = 0;

	for (unsigned n = 0; n < E82576_POOLS; n++)
		if (nic_get(p, E1000_VMOLR(n)) & vmolr_bits)
			pools |= BIT(n);
	return pools;
}

static uint32_t vlvf_pools(struct nic_port *p, uint16_t vid)
{
	const struct nic_filters *t = filters(p);
	uint32_t pools = 0;

	for (unsigned i = 0; i < t->nvlvf; i++)
		if (t->vlvf[i].vid == vid)
			pools |= t->vlvf[i].pools;
	return pools;
}

uint32_t nic_switch__rx_pools(struct nic_port *p, const struct nic_frame *f, bool from_wire,
			      bool *rar_ucast)
{
	const uint8_t *dst = f->hdr;
	uint32_t pools, vt_ctl = nic_get(p, E1000_VT_CTL);
	bool hit;

	*rar_ucast = false;
	if (nic_frame__bcast(f)) {
		pools = pools_with(p, E1000_VMOLR_BAM);
	} else {
		pools = rar_pools(p, dst, &hit);
		if (dst[0] & 1) {
			if (!hit && hash_hit(p, E1000_MTA, dst))
				pools |= pools_with(p, E1000_VMOLR_ROMPE);
			pools |= pools_with(p, E1000_VMOLR_MPME);
		} else if (hit) {
			*rar_ucast = true;
		} else if (hash_hit(p, E1000_UTA, dst)) {
			/* ROPE, not ROMPE as in QEMU: Linux sets ROPE for UTA-promiscuous pools. */
			pools = pools_with(p, E1000_VMOLR_ROPE);
		}
	}
	if (nic_get(p, E1000_RCTL) & E1000_RCTL_VFE) {
		uint32_t addressed = pools, lost;

		pools &= f->tagged ? vlvf_pools(p, f->tci & E1000_VLVF_VLANID_MASK)
				   : pools_with(p, E1000_VMOLR_AUPE);
		/* A unicast frame addressed to a pool (its RAR entry) that VLAN filtering keeps
		 * from it is a drop of that pool's, counted by reason; broadcast and multicast of
		 * other VLANs were never the pool's to begin with. */
		lost = *rar_ucast ? addressed & ~pools & (BIT(E82576_POOLS) - 1) : 0;
		while (lost) {
			unsigned pool = (unsigned)__builtin_ctz(lost);

			lost &= lost - 1;
			nic_stats__rx_drop(p, pool,
					   f->tagged ? E82576_DROP_VLAN : E82576_DROP_UNTAGGED);
		}
	}
	if (!pools && from_wire && !(vt_ctl & E1000_VT_CTL_DISABLE_DEF_POOL))
		pools = BIT((vt_ctl & E1000_VT_CTL_DEF_PL_MASK) >> E1000_VT_CTL_DEF_PL_SHIFT);
	return pools & (BIT(E82576_POOLS) - 1);
}

/* Outside VMDq: does the PF's filter (RCTL, RAR, MTA, VFTA) take the frame? */
static bool plain_accept(struct nic_port *p, const struct nic_frame *f)
{
	uint32_t rctl = nic_get(p, E1000_RCTL);
	const uint8_t *dst = f->hdr;
	bool ok, hit;
	uint16_t vid;

	if (nic_frame__bcast(f)) {
		ok = rctl & E1000_RCTL_BAM;
	} else {
		rar_pools(p, dst, &hit);
		if (hit)
			ok = true;
		else if (dst[0] & 1)
			ok = (rctl & E1000_RCTL_MPE) || hash_hit(p, E1000_MTA, dst);
		else
			ok = rctl & E1000_RCTL_UPE;
	}
	if (ok && f->tagged && (rctl & E1000_RCTL_VFE)) {
		vid = f->tci & E1000_VLVF_VLANID_MASK;
		ok = nic_get(p, E1000_VFTA + 4 * (vid >> 5)) & BIT(vid & 31);
	}
	return ok;
}

/* Whether pool's copy loses its tag: VMOLR.STRVLAN, a port VLAN (VMVIR default insertion),
 * or RPLOLR.STRVLAN for replicated broadcast and multicast (QEMU's reading of RPLOLR). */
static bool strip_tag(const struct nic_port *p, unsigned pool, const struct nic_frame *f, bool vmdq)
{
	if (!f->tagged)
		return false;
	if (!vmdq)
		return nic_get(p, E1000_CTRL) & E1000_CTRL_VME;
	if (nic_get(p, E1000_VMOLR(pool)) & E1000_VMOLR_STRVLAN)
		return true;
	if ((nic_get(p, E1000_VMVIR(pool)) & E1000_VMVIR_VLANA_MASK) == E1000_VMVIR_VLANA_DEFAULT)
		return true;
	return (f->hdr[0] & 1) && (nic_get(p, E1000_RPLOLR) & E1000_VMOLR_STRVLAN);
}

/* One copy to each pool (pool n's Rx queue is PF queue n); returns how many landed. */
static unsigned deliver(struct nic_port *p, struct nic_frame *f, uint32_t pools, bool looped)
{
	unsigned got = 0;

	while (pools) {
		unsigned pool = (unsigned)__builtin_ctz(pools);

		pools &= pools - 1;
		if (!nic_switch__pool_rx_enabled(p, pool)) {
			nic_stats__rx_drop(p, pool, E82576_DROP_RX_GATED);
			continue;
		}
		if (nic_rx__deliver(p, pool, f, strip_tag(p, pool, f, true), looped)) {
			nic_stats__pool_rx(p, pool, f, looped);
			got++;
		}
	}
	return got;
}

void nic_switch__from_wire(struct nic_port *p, struct nic_frame *f)
{
	unsigned got = 0;
	uint32_t pools;
	bool rar_ucast;

	if (!(nic_get(p, E1000_RCTL) & E1000_RCTL_EN)) {
		nic_stats__drop(p, E82576_DROP_FILTERED); /* the receiver is off */
	} else if (nic_switch__vmdq(p)) {
		pools = nic_switch__rx_pools(p, f, true, &rar_ucast);
		if (pools)
			got = deliver(p, f, pools, false);
		else
			nic_stats__drop(p, E82576_DROP_FILTERED);
	} else if (plain_accept(p, f)) {
		if (nic_rx__deliver(p, 0, f, strip_tag(p, 0, f, false), false)) {
			nic_stats__pool_rx(p, E82576_POOLS, f, false);
			got = 1;
		}
	} else {
		nic_stats__drop(p, E82576_DROP_FILTERED);
	}
	nic_stats__wire_rx(p, f, got);
}

/* The pool may send from this address: a valid RAR entry (either ASEL) names it. */
static bool src_mac_ok(struct nic_port *p, unsigned pool, const uint8_t *src)
{
	const struct nic_filters *t = filters(p);
	uint64_t key = mac_key(src);

	for (unsigned i = 0; i < t->nrar; i++)
		if ((t->rar[i].pools & BIT(pool)) && t->rar[i].mac == key)
			return true;
	return false;
}

/* The pool may send on this VLAN: a VLVF entry holds the pool, or it is the port VLAN. */
static bool vlan_ok(struct nic_port *p, unsigned pool, uint16_t vid)
{
	uint32_t vmvir = nic_get(p, E1000_VMVIR(pool));

	if ((vmvir & E1000_VMVIR_VLANA_MASK) == E1000_VMVIR_VLANA_DEFAULT &&
	    (vmvir & E1000_VLVF_VLANID_MASK) == vid)
		return true;
	return vlvf_pools(p, vid) & BIT(pool);
}

/* A spoofed frame is dropped; the PF learns of it through WVBR and ICR.DOUTSYNC (82576.md 4). */
static bool spoofed(struct nic_port *p, unsigned pool, const struct nic_frame *f)
{
	uint32_t dtxswc = nic_get(p, E1000_DTXSWC), wvbr;
	enum e82576_drop why;

	if ((dtxswc & BIT(pool)) && !src_mac_ok(p, pool, f->hdr + ETH_ALEN)) {
		why = E82576_DROP_SPOOF_MAC;
		wvbr = BIT(pool);
	} else if ((dtxswc & BIT(pool + E1000_DTXSWC_VLAN_SPOOF_SHIFT)) && f->tagged &&
		   !vlan_ok(p, pool, f->tci & E1000_VLVF_VLANID_MASK)) {
		why = E82576_DROP_SPOOF_VLAN;
		wvbr = BIT(pool + E1000_WVBR_VLAN_SHIFT);
	} else {
		return false;
	}
	nic_stats__tx_drop(p, pool, why);
	nic_set(p, E1000_WVBR, nic_get(p, E1000_WVBR) | wvbr);
	nic_intr__raise_icr(p, E1000_ICR_DOUTSYNC);
	return true;
}

int nic_switch__tx(struct nic_port *p, unsigned pool, struct nic_frame *f)
{
	uint32_t pools;
	bool rar_ucast;
	int verdict = NIC_SWITCH_WIRE;

	if (!nic_switch__vmdq(p))
		return verdict;
	if (spoofed(p, pool, f))
		return -1;
	if (!(nic_get(p, E1000_DTXSWC) & E1000_DTXSWC_VMDQ_LOOPBACK_EN))
		return verdict;
	/* VM-to-VM: the other local pools the Rx rules pick (never the sender), and the wire
	 * too unless a RAR entry claimed the unicast destination for a local pool. */
	pools = nic_switch__rx_pools(p, f, false, &rar_ucast) & ~BIT(pool);
	if (rar_ucast)
		verdict = 0;
	if ((nic_get(p, E1000_RCTL) & E1000_RCTL_EN) && deliver(p, f, pools, true))
		verdict |= NIC_SWITCH_LOOPED;
	return verdict;
}
