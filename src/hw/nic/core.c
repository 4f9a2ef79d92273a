/* The 82576 device: creation, reset values, and BAR decode. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/nic/nic.h"
#include "lib/compiler.h"
#include "lib/log.h"

#define NVM_CHECKSUM_REG 0x3f
#define NVM_SUM          0xbaba

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t nic__now(const struct e82576 *nic)
{
	return nic->now_ns();
}

struct e82576_pci *e82576__pci(struct e82576 *nic)
{
	return &nic->pci;
}

/* The port's owner of a PCI function, and which VF it is (-1 for the PF). */
static struct nic_port *port_of(struct e82576 *nic, struct pci_func *fn, int *vf)
{
	for (unsigned p = 0; p < E82576_PORTS; p++) {
		if (fn == &nic->pci.pf[p]) {
			*vf = -1;
			return &nic->port[p];
		}
		if (fn >= nic->pci.vf[p] && fn < nic->pci.vf[p] + E82576_MAX_VFS) {
			*vf = (int)(fn - nic->pci.vf[p]);
			return &nic->port[p];
		}
	}
	return NULL;
}

/* Power-on register values (QEMU's igb reset values where the datasheet was not at hand). */
void nic_reset__port_regs(struct nic_port *p)
{
	memset(p->mac, 0, sizeof(p->mac));
	nic_set(p, E1000_CTRL, E1000_CTRL_FD | E1000_CTRL_SLU);
	nic_set(p, E1000_STATUS, E1000_STATUS_FD | E1000_STATUS_LU | E1000_STATUS_SPEED_1000 |
					 p->index << E1000_STATUS_FUNC_SHIFT);
	nic_set(p, E1000_EECD, 0x00000100); /* EE_PRES: the NVM is present and valid */
	nic_set(p, E1000_VET, 0x8100);
	nic_set(p, E1000_RLPML, 0x2600);
	nic_set(p, E1000_RPLOLR, E1000_VMOLR_STRCRC);
	nic_set(p, E1000_MBVFIMR, 0xff);
	for (unsigned n = 0; n < E82576_POOLS; n++) {
		nic_set(p, E1000_VMOLR(n), 0x2600 | E1000_VMOLR_STRCRC);
		/* A PF reset is in progress until the PF driver sets CTRL_EXT.PFRSTD. */
		nic_set(p, E1000_V2PMAILBOX(n), E1000_V2PMAILBOX_RSTI);
	}
	for (unsigned q = 0; q < E1000_NUM_QUEUES; q++) {
		nic_set(p, E1000_SRRCTL(q), 2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF); /* 2 KiB */
		nic_set(p, E1000_RXDCTL(q), q == 0 ? E1000_RXDCTL_QUEUE_ENABLE : 0);
	}
	memset(p->itr_last_ns, 0, sizeof(p->itr_last_ns));
	memset(p->rttbcnrc, 0, sizeof(p->rttbcnrc));
	p->asserted = 0;
	memset(p->vf_asserted, 0, sizeof(p->vf_asserted));
	p->tx_kick = p->rx_kick = 0;
}

static void nvm_init(struct nic_port *p, const uint8_t mac[6])
{
	uint16_t sum = 0;

	/* Words 0-2: the port's Ethernet address, little-endian byte pairs (igb_read_mac_addr). */
	for (unsigned i = 0; i < 3; i++)
		p->nvm[i] = (uint16_t)(mac[2 * i] | mac[2 * i + 1] << 8);
	/* Word 0x3F makes words 0..0x3F sum to NVM_SUM 0xBABA (igb_validate_nvm_checksum). */
	for (unsigned i = 0; i < NVM_CHECKSUM_REG; i++)
		sum = (uint16_t)(sum + p->nvm[i]);
	p->nvm[NVM_CHECKSUM_REG] = (uint16_t)(NVM_SUM - sum);
}

/* Config-space side effects: MSI-X Enable/Function Mask and Bus Master can release pending
 * vectors; an FLR resets the function's device state (its config space is already reset). */
static void fn_cfg_write(struct pci_func *fn, unsigned off, unsigned size, uint32_t old,
			 uint32_t val)
{
	struct e82576 *nic = fn->priv;
	int vf = -1;
	struct nic_port *p = port_of(nic, fn, &vf);

	if (off <= E82576_CAP_MSIX + PCI_MSIX_FLAGS + 1 && off + size > E82576_CAP_MSIX + PCI_MSIX_FLAGS)
		nic_msix__cfg_changed(p, fn, vf < 0 ? &p->msix_pf : &p->msix_vf[vf]);
	else if (off <= PCI_COMMAND && off + size > PCI_COMMAND)
		nic_msix__cfg_changed(p, fn, vf < 0 ? &p->msix_pf : &p->msix_vf[vf]);
}

static void fn_flr(struct pci_func *fn)
{
	struct e82576 *nic = fn->priv;
	int vf = -1;
	struct nic_port *p = port_of(nic, fn, &vf);

	if (vf >= 0) {
		/* An FLR resets the function's PCI state too, the MSI-X table among it; a VF's
		 * CTRL.RST does not (igbvf resets and comes back up with its vectors set). */
		nic_reset__vf(p, (unsigned)vf);
		nic_msix__init(&p->msix_vf[vf], E82576_VF_VECTORS);
		return;
	}
	nic_reset__port(p);
	nic_msix__init(&p->msix_pf, E82576_PF_VECTORS);
	p->phy_bmcr = E82576_PHY_BMCR_DEFAULT; /* (unconfirmed) a PF FLR resets its PHY too */
	nic_dp__link_changed(p);
}

static void vf_enable(struct pci_func *pf, unsigned before, unsigned now)
{
	struct e82576 *nic = pf->priv;
	int vf = -1;

	nic_reset__vfs_enabled(port_of(nic, pf, &vf), MAX(before, now));
}

static const struct pci_sriov_ops nic_sriov_ops = {
	.layout = e82576_pci__layout,
	.vf_enable = vf_enable,
};

static const struct pci_func_ops nic_fn_ops = {
	.cfg_write = fn_cfg_write,
	.flr = fn_flr,
};

int e82576__create(struct e82576 **out, const struct e82576_config *cfg)
{
	struct e82576 *nic;
	int rc;

	if (!cfg->iommu || !cfg->msi)
		return -EINVAL;
	nic = calloc(1, sizeof(*nic));
	if (!nic)
		return -ENOMEM;
	rc = e82576_pci__init(&nic->pci, cfg->bus, cfg->dev, 0x001b21ffff000000ull);
	if (rc) {
		free(nic);
		return rc;
	}
	nic->iommu = cfg->iommu;
	nic->msi = cfg->msi;
	nic->msi_opaque = cfg->msi_opaque;
	nic->now_ns = cfg->now_ns ? cfg->now_ns : monotonic_ns;
	for (unsigned i = 0; i < E82576_PORTS; i++) {
		struct nic_port *p = &nic->port[i];

		p->nic = nic;
		p->index = i;
		p->pf = &nic->pci.pf[i];
		nvm_init(p, cfg->mac[i]);
		nic_reset__port_regs(p);
		p->phy_bmcr = E82576_PHY_BMCR_DEFAULT;
		nic_msix__init(&p->msix_pf, E82576_PF_VECTORS);
		p->pf->ops = &nic_fn_ops;
		p->pf->priv = nic;
		nic->pci.sriov[i].ops = &nic_sriov_ops;
		for (unsigned v = 0; v < E82576_MAX_VFS; v++) {
			nic_msix__init(&p->msix_vf[v], E82576_VF_VECTORS);
			nic->pci.vf[i][v].ops = &nic_fn_ops;
			nic->pci.vf[i][v].priv = nic;
		}
	}
	*out = nic;
	return 0;
}

void e82576__destroy(struct e82576 *nic)
{
	free(nic);
}

static bool decodes_memory(struct pci_func *fn)
{
	if (fn->pf)
		return fn->present && pci_sriov__vf_mse(fn->pf);
	return pci_func__get(fn, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY;
}

static int bar0_access(struct nic_port *p, int vf, uint64_t off, unsigned size, bool write,
		       uint64_t *val)
{
	uint64_t limit = vf < 0 ? E1000_MMIO_SIZE : E1000_VF_MMIO_SIZE;
	unsigned idx = (unsigned)(off >> 2);

	/* The 82576's CSRs are 32-bit registers accessed as whole dwords. */
	if (size != 4 || (off & 3) || off >= limit)
		return -EINVAL;
	if (vf >= 0) {
		if (write)
			nic_vf__write(p, (unsigned)vf, (uint32_t)off, (uint32_t)*val);
		else
			*val = nic_vf__read(p, (unsigned)vf, (uint32_t)off);
		return 0;
	}
	if (write) {
		if (nic_pf_wr[idx])
			nic_pf_wr[idx](p, idx, (uint32_t)*val);
		else
			nic_stat_inc(&p->stats.ignored_writes);
	} else if (nic_pf_rd[idx]) {
		*val = nic_pf_rd[idx](p, idx);
	} else {
		nic_stat_inc(&p->stats.unknown_reads);
		*val = 0;
	}
	return 0;
}

/* BAR2: IOADDR (offset 0) selects a register, IODATA (offset 4) accesses it. */
static int bar2_access(struct nic_port *p, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	uint64_t v;

	if (size != 4 || (off != 0 && off != 4))
		return -EINVAL;
	if (off == 0) {
		if (write)
			p->ioaddr = (uint32_t)*val & (E1000_MMIO_SIZE - 4);
		else
			*val = p->ioaddr;
		return 0;
	}
	v = *val;
	bar0_access(p, -1, p->ioaddr, 4, write, &v);
	if (!write)
		*val = v;
	return 0;
}

int e82576__mmio(struct e82576 *nic, struct pci_func *fn, unsigned bar, uint64_t off,
		 unsigned size, bool write, uint64_t *val)
{
	int vf = -1, rc;
	struct nic_port *p = port_of(nic, fn, &vf);

	if (!p)
		return -EINVAL;
	if (bar == 2 && vf < 0) {
		if (!(pci_func__get(fn, PCI_COMMAND, 2) & PCI_COMMAND_IO))
			rc = -EIO;
		else
			rc = bar2_access(p, off, size, write, val);
	} else if (!decodes_memory(fn)) {
		rc = -EIO;
	} else if (bar == 0) {
		rc = bar0_access(p, vf, off, size, write, val);
	} else if (bar == 3) {
		rc = nic_msix__access(p, fn, vf < 0 ? &p->msix_pf : &p->msix_vf[vf], off, size,
				      write, val);
	} else {
		rc = -EINVAL;
	}
	if (rc) {
		nic_stat_inc(&p->stats.mmio_refused);
		if (!write)
			*val = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
	}
	return rc;
}

uint32_t e82576__rd32(struct e82576 *nic, struct pci_func *fn, uint32_t off)
{
	uint64_t v = 0;

	e82576__mmio(nic, fn, 0, off, 4, false, &v);
	return (uint32_t)v;
}

void e82576__wr32(struct e82576 *nic, struct pci_func *fn, uint32_t off, uint32_t val)
{
	uint64_t v = val;

	e82576__mmio(nic, fn, 0, off, 4, true, &v);
}

void e82576__port_stats(struct e82576 *nic, unsigned port, struct e82576_port_stats *st)
{
	const struct e82576_port_stats *s = &nic->port[port].stats;

	st->mmio_refused = __atomic_load_n(&s->mmio_refused, __ATOMIC_RELAXED);
	st->unknown_reads = __atomic_load_n(&s->unknown_reads, __ATOMIC_RELAXED);
	st->ignored_writes = __atomic_load_n(&s->ignored_writes, __ATOMIC_RELAXED);
	st->msi_sent = __atomic_load_n(&s->msi_sent, __ATOMIC_RELAXED);
	st->msi_pending = __atomic_load_n(&s->msi_pending, __ATOMIC_RELAXED);
}

uint64_t e82576__next_deadline(struct e82576 *nic, unsigned port)
{
	return nic_intr__next_deadline(&nic->port[port]);
}

void e82576__run_timers(struct e82576 *nic, unsigned port)
{
	nic_intr__run_timers(&nic->port[port], nic__now(nic));
}
