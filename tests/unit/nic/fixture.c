#include "fixture.h"

#include <stdio.h>
#include <string.h>

#include "lib/compiler.h"

#define POOL_BASE 0x00100000ull
#define POOL_SIZE (8ull << 20)
#define RAM_BASE  0x100000000ull
#define RAM_STEP  0x2000000ull

struct fx fx;
const uint8_t fx_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void on_msi(void *opaque, uint16_t rid, uint64_t addr, uint32_t data)
{
	fx.nmsi++;
}

static uint64_t fake_now(void)
{
	return fx.now;
}

uint32_t fx__rd(unsigned i, uint32_t off)
{
	return e82576__rd32(fx.nic, fx.fn[i].fn, off);
}

void fx__wr(unsigned i, uint32_t off, uint32_t val)
{
	e82576__wr32(fx.nic, fx.fn[i].fn, off, val);
}

uint32_t fx__pf_rd(uint32_t off)
{
	return fx__rd(FX_PF, off);
}

void fx__pf_wr(uint32_t off, uint32_t val)
{
	fx__wr(FX_PF, off, val);
}

uint8_t *fx__ram(unsigned i, uint64_t gpa)
{
	assert_true(gpa < FX_RAM_SIZE);
	return fx.fn[i].ram + gpa;
}

static void cfg_wr(struct pci_func *f, unsigned off, unsigned size, uint32_t v)
{
	assert_int_equal(pci_func__cfg_write(f, off, size, v), 0);
}

/* One function's RAM, its DMA domain (IOVA = GPA) and its context entry. */
static void guest_init(unsigned i, struct pci_func *fn)
{
	struct fx_fn *f = &fx.fn[i];
	const struct mem_region *r;
	char name[16];

	f->fn = fn;
	f->rid = fn->rid;
	f->ram_maddr = RAM_BASE + i * RAM_STEP;
	snprintf(name, sizeof(name), i == FX_PF ? "dom0" : "vf%u", i);
	assert_int_equal(mem__add(&fx.mem, name, f->ram_maddr, FX_RAM_SIZE, &r), 0);
	f->ram = r->host;
	assert_int_equal(dma_domain__create(&f->dom, &fx.pool, fx.iommu, (uint16_t)(10 + i), 0), 0);
	assert_int_equal(
	    dma_domain__map(&f->dom, 0, f->ram_maddr, FX_RAM_SIZE, IOMMU_READ | IOMMU_WRITE), 0);
	assert_int_equal(context__attach(&fx.ct, f->rid, &f->dom), 0);
	f->mac[0] = 0x02;
	f->mac[5] = i == FX_PF ? 0xff : (uint8_t)(i + 1);
	f->txq = i == FX_PF ? E1000_TXQ(fx.nvfs) : E1000_VF_TXQ(0);
	f->rxq = i == FX_PF ? E1000_RXQ(fx.nvfs) : E1000_VF_RXQ(0);
}

static void set_rar(unsigned idx, const uint8_t *mac, unsigned pool)
{
	fx__pf_wr(E1000_RAL(idx), le32_get(mac));
	fx__pf_wr(E1000_RAH(idx),
		  le16_get(mac + 4) | E1000_RAH_AV | BIT(E1000_RAH_POOL_SHIFT + pool));
}

/* What igb programs for a port with VFs (82576.md section 8). */
static void pf_setup(void)
{
	unsigned n = fx.nvfs;
	uint32_t vfs = BIT(n) - 1;

	fx__pf_wr(E1000_CTRL_EXT, E1000_CTRL_EXT_PFRSTD);
	fx__pf_wr(E1000_MRQC, E1000_MRQC_ENABLE_VMDQ);
	fx__pf_wr(E1000_VT_CTL, n << E1000_VT_CTL_DEF_PL_SHIFT | E1000_VT_CTL_VM_REPL_EN);
	set_rar(0, fx.fn[FX_PF].mac, n);
	for (unsigned v = 0; v < n; v++) {
		set_rar(E1000_RAR_ENTRIES - 1 - v, fx.fn[v].mac, v);
		fx__pf_wr(E1000_VMOLR(v), E1000_VMOLR_AUPE | E1000_VMOLR_BAM | E1000_VMOLR_ROMPE |
					      E1000_VMOLR_STRVLAN | E1000_VMOLR_STRCRC | 0x2600);
	}
	fx__pf_wr(E1000_VMOLR(n), E1000_VMOLR_AUPE | E1000_VMOLR_BAM | E1000_VMOLR_ROMPE |
				      E1000_VMOLR_STRCRC | 0x2600);
	fx__pf_wr(E1000_DTXSWC, E1000_DTXSWC_VMDQ_LOOPBACK_EN | vfs | vfs << 8);
	fx__pf_wr(E1000_VFRE, vfs);
	fx__pf_wr(E1000_VFTE, vfs);
	fx__pf_wr(E1000_QDE, 0xffff);
	fx__pf_wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_VFE);
	fx__pf_wr(E1000_TCTL, E1000_TCTL_EN);
}

void fx__start(unsigned nvfs)
{
	struct e82576_config c = {.bus = 1, .dev = 0, .msi = on_msi, .now_ns = fake_now};
	struct pci_func *pf;
	unsigned cap = E82576_ECAP_SRIOV;

	memset(&fx, 0, sizeof(fx));
	fx.now = 1000000000;
	fx.nvfs = nvfs;
	mem__init(&fx.mem);
	assert_int_equal(mem_pool__init(&fx.pool, &fx.mem, "hyp", POOL_BASE, POOL_SIZE), 0);
	assert_int_equal(iommu__create(&fx.iommu, &fx.mem, NULL), 0);
	assert_int_equal(context__init(&fx.ct, &fx.pool, fx.iommu), 0);
	c.iommu = fx.iommu;
	assert_int_equal(e82576__create(&fx.nic, &c), 0);
	fx.port = &fx.nic->port[0];
	pf = &e82576__pci(fx.nic)->pf[0];
	cfg_wr(pf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (nvfs) {
		cfg_wr(pf, cap + PCI_SRIOV_NUM_VF, 2, nvfs);
		cfg_wr(pf, cap + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	}
	for (unsigned v = 0; v < nvfs; v++) {
		struct pci_func *vf = &e82576__pci(fx.nic)->vf[0][v];

		cfg_wr(vf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
		guest_init(v, vf);
	}
	guest_init(FX_PF, pf);
	pf_setup();
}

int fx__teardown(void **state)
{
	nic_dp__attach_wire(fx.port, NULL);
	wire__close(fx.wire);
	e82576__destroy(fx.nic);
	for (unsigned i = 0; i < FX_NFN; i++)
		if (fx.fn[i].fn)
			dma_domain__destroy(&fx.fn[i].dom);
	context__fini(&fx.ct);
	iommu__destroy(fx.iommu);
	mem_pool__fini(&fx.pool);
	mem__fini(&fx.mem);
	return 0;
}

void fx__rings(unsigned i, unsigned ntx, unsigned nrx, unsigned kib)
{
	struct fx_fn *f = &fx.fn[i];

	assert_true(ntx <= FX_MAX_DESC && nrx <= FX_MAX_DESC && kib * 1024 <= FX_BUF_SIZE);
	fx__wr(i, f->txq + E1000_QR_DCTL, 0);
	fx__wr(i, f->txq + E1000_QR_BAL, (uint32_t)FX_TX_RING);
	fx__wr(i, f->txq + E1000_QR_BAH, 0);
	fx__wr(i, f->txq + E1000_QR_LEN, ntx * E1000_DESC_SIZE);
	fx__wr(i, f->txq + E1000_QR_HEAD, 0);
	fx__wr(i, f->txq + E1000_QR_TAIL, 0);
	fx__wr(i, f->txq + E1000_QR_DCTL, E1000_TXDCTL_QUEUE_ENABLE);
	fx__wr(i, f->rxq + E1000_QR_DCTL, 0);
	fx__wr(i, f->rxq + E1000_QR_BAL, (uint32_t)FX_RX_RING);
	fx__wr(i, f->rxq + E1000_QR_BAH, 0);
	fx__wr(i, f->rxq + E1000_QR_LEN, nrx * E1000_DESC_SIZE);
	fx__wr(i, f->rxq + E1000_QR_HEAD, 0);
	fx__wr(i, f->rxq + E1000_QR_TAIL, 0);
	fx__wr(i, f->rxq + E1000_QR_SRRCTL,
	       kib | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | E1000_SRRCTL_DROP_EN);
	fx__wr(i, f->rxq + E1000_QR_DCTL, E1000_RXDCTL_QUEUE_ENABLE);
	f->tx = (struct fx_ring){.count = ntx};
	f->rx = (struct fx_ring){.count = nrx};
}

void fx__rx_post(unsigned i, unsigned n)
{
	struct fx_fn *f = &fx.fn[i];

	for (unsigned k = 0; k < n; k++) {
		uint8_t *d = fx__ram(i, FX_RX_RING + f->rx.tail * E1000_DESC_SIZE);

		le64_put(d, FX_RX_BUF + (uint64_t)f->rx.tail * FX_BUF_SIZE);
		le64_put(d + 8, 0);
		f->rx.tail = (f->rx.tail + 1) % f->rx.count;
	}
	fx__wr(i, f->rxq + E1000_QR_TAIL, f->rx.tail);
}

void fx__tx_desc(unsigned i, unsigned idx, uint64_t addr, uint32_t cmd, uint32_t olinfo)
{
	uint8_t *d = fx__ram(i, FX_TX_RING + idx * E1000_DESC_SIZE);

	le64_put(d, addr);
	le32_put(d + 8, cmd);
	le32_put(d + 12, olinfo);
}

void fx__tx_tail(unsigned i, unsigned tail)
{
	fx__wr(i, fx.fn[i].txq + E1000_QR_TAIL, tail);
}

bool fx__tx_done(unsigned i, unsigned idx)
{
	return le32_get(fx__ram(i, FX_TX_RING + idx * E1000_DESC_SIZE + 12)) & E1000_TXD_STAT_DD;
}

unsigned fx__tx(unsigned i, const void *frame, uint32_t len, const struct fx_txopt *opt)
{
	static const struct fx_txopt none;
	struct fx_fn *f = &fx.fn[i];
	unsigned frags, idx = f->tx.next, last = idx;
	uint32_t off = 0;

	if (!opt)
		opt = &none;
	frags = opt->frags ? opt->frags : 1;
	if (opt->ctx) {
		uint8_t *d = fx__ram(i, FX_TX_RING + idx * E1000_DESC_SIZE);

		le32_put(d, opt->iplen | (uint32_t)opt->maclen << E1000_ADVTXD_MACLEN_SHIFT |
				(uint32_t)opt->vlan << E1000_ADVTXD_VLAN_SHIFT);
		le32_put(d + 4, 0);
		le32_put(d + 8, opt->tucmd | E1000_ADVTXD_DTYP_CTXT | E1000_ADVTXD_DCMD_DEXT);
		le32_put(d + 12, 0);
		idx = (idx + 1) % f->tx.count;
	}
	for (unsigned k = 0; k < frags; k++) {
		uint32_t chunk = k + 1 == frags ? len - off : len / frags;
		uint64_t buf = FX_TX_BUF + (uint64_t)idx * FX_BUF_SIZE;
		uint32_t cmd = E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DTYP_DATA |
			       E1000_ADVTXD_DCMD_IFCS | chunk;

		assert_true(chunk <= FX_BUF_SIZE);
		memcpy(fx__ram(i, buf), (const uint8_t *)frame + off, chunk);
		if (opt->vle)
			cmd |= E1000_ADVTXD_DCMD_VLE;
		if (k + 1 == frags)
			cmd |= E1000_ADVTXD_DCMD_EOP | (opt->no_rs ? 0 : E1000_ADVTXD_DCMD_RS);
		fx__tx_desc(i, idx, buf, cmd,
			    k ? 0 : len << E1000_ADVTXD_PAYLEN_SHIFT | opt->popts);
		off += chunk;
		last = idx;
		idx = (idx + 1) % f->tx.count;
	}
	f->tx.next = idx;
	fx__tx_tail(i, idx);
	return last;
}

int fx__rx(unsigned i, uint8_t *buf, uint32_t cap, struct fx_rxd *wb)
{
	struct fx_fn *f = &fx.fn[i];
	unsigned idx = f->rx.next, n = 0;
	uint32_t total = 0;

	for (;;) {
		uint8_t *d = fx__ram(i, FX_RX_RING + idx * E1000_DESC_SIZE);
		uint32_t status = le32_get(d + 8), len = le16_get(d + 12);

		if (!(status & E1000_RXD_STAT_DD)) {
			assert_int_equal(n, 0); /* a frame is never seen half written */
			return -1;
		}
		assert_true(total + len <= cap);
		memcpy(buf + total, fx__ram(i, FX_RX_BUF + (uint64_t)idx * FX_BUF_SIZE), len);
		total += len;
		n++;
		idx = (idx + 1) % f->rx.count;
		if (status & E1000_RXD_STAT_EOP) {
			if (wb)
				*wb = (struct fx_rxd){.pkt_info = le32_get(d),
						      .status = status,
						      .vlan = le16_get(d + 14),
						      .ndesc = n};
			break;
		}
		assert_int_equal(status, E1000_RXD_STAT_DD);
	}
	f->rx.next = idx;
	return (int)total;
}

void fx__poll(void)
{
	for (unsigned guard = 0; nic_dp__poll(fx.port, 64); guard++)
		assert_true(guard < 100000);
}

struct e82576_dp_stats fx__stats(void)
{
	struct e82576_dp_stats st;

	e82576__dp_stats(fx.nic, 0, &st);
	return st;
}

uint32_t fx__frame(uint8_t *buf, const uint8_t *dst, const uint8_t *src, int tci,
		   uint16_t ethertype, uint32_t payload, uint8_t seed)
{
	uint32_t off = 12;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	if (tci >= 0) {
		buf[off++] = 0x81;
		buf[off++] = 0x00;
		buf[off++] = (uint8_t)(tci >> 8);
		buf[off++] = (uint8_t)tci;
	}
	buf[off++] = (uint8_t)(ethertype >> 8);
	buf[off++] = (uint8_t)ethertype;
	for (uint32_t k = 0; k < payload; k++)
		buf[off + k] = (uint8_t)(seed + k * 7);
	return off + payload;
}

void fx__wire(const char *spec)
{
	assert_int_equal(wire__open(&fx.wire, spec, NULL, 0), 0);
	nic_dp__attach_wire(fx.port, fx.wire);
}
