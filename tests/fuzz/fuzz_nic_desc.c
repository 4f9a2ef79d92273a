/*
 * libFuzzer target for the 82576 datapath: one hostile VF (VF 0) writes random Tx descriptors,
 * random bytes into its own memory and random values into its BAR0 registers (rings, tails,
 * queue enables, SRRCTL, reset, mailbox, ...), and the PF sets VF 0's own policy at random
 * (VMVIR, VMOLR, its rate limit, its VLAN anti-spoofing); meanwhile VF 1 and VF 2, driven
 * correctly, exchange frames. Checked:
 *   - no crash, no sanitizer report;
 *   - no DMA outside the hostile VF's domain: the other VFs' memory outside their rings and
 *     Rx buffers, and a region nobody maps, keep their pattern;
 *   - every frame VF 1 or VF 2 receives from the other arrives intact, and once the PF has
 *     cut VF 0 off (VFTE) a frame each way gets through.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/iommu/context.h"
#include "hw/iommu/iommu.h"
#include "hw/iommu/pgtable.h"
#include "hw/mem/pool.h"
#include "hw/nic/desc.h"
#include "hw/nic/nic.h"
#include "lib/compiler.h"
#include "lib/log.h"

#define POOL_BASE 0x00100000ull
#define POOL_SIZE (4ull << 20)
#define RAM_BASE  0x10000000ull
#define RAM_SIZE  0x60000ull
#define SECRET	  0x20000000ull
#define NVF	  3
#define TX_RING	  0x1000ull
#define RX_RING	  0x2000ull
#define TX_BUF	  0x10000ull
#define RX_BUF	  0x30000ull
#define NDESC	  64
#define BUF	  2048u
#define CANARY	  0xa5
#define MAX_OPS	  256

struct peer {
	uint32_t tx_next, rx_next, rx_tail;
	uint32_t seq_sent, seq_seen;
};

static struct {
	struct machine_mem mem;
	struct mem_pool pool;
	struct iommu *iommu;
	struct context_tables ct;
	struct dma_domain dom[NVF];
	uint8_t *ram[NVF], *secret;
	struct e82576 *nic;
	struct pci_func *pf, *vf[NVF];
	struct peer peer[NVF];
	uint32_t vf0_ntx, vf0_next; /* VF 0's ring as the fuzzed driver believes it is */
	struct wire *wire;	    /* a loop: what goes out comes back in */
	uint64_t now;
	bool attached; /* VF RIDs are the same on every run: their contexts stay */
} m;

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_nic_desc: %s\n", what);
		abort();
	}
}

static void on_msi(void *opaque, uint16_t rid, uint64_t addr, uint32_t data)
{
}

static uint64_t fake_now(void)
{
	return m.now;
}

static void mac_of(unsigned vf, uint8_t *mac)
{
	memcpy(mac, (const uint8_t[]){0x02, 0, 0, 0, 0, (uint8_t)(vf + 1)}, 6);
}

static void pf_wr(uint32_t off, uint32_t v)
{
	e82576__wr32(m.nic, m.pf, off, v);
}

static void vf_wr(unsigned vf, uint32_t off, uint32_t v)
{
	e82576__wr32(m.nic, m.vf[vf], off, v);
}

static uint32_t vf_rd(unsigned vf, uint32_t off)
{
	return e82576__rd32(m.nic, m.vf[vf], off);
}

/* Machine memory, the IOMMU and one domain per VF: built once (VF RIDs do not change). */
static void machine_init(void)
{
	const struct mem_region *r;
	char name[8];

	log__set_level(LOG_ERR);
	mem__init(&m.mem);
	check(!mem_pool__init(&m.pool, &m.mem, "hyp", POOL_BASE, POOL_SIZE), "pool");
	check(!iommu__create(&m.iommu, &m.mem, NULL), "iommu");
	check(!context__init(&m.ct, &m.pool, m.iommu), "context");
	check(!mem__add(&m.mem, "secret", SECRET, 0x10000, &r), "secret");
	m.secret = r->host;
	memset(m.secret, CANARY, 0x10000);
	check(!wire__open(&m.wire, "loop", NULL, 0), "wire");
	for (unsigned v = 0; v < NVF; v++) {
		snprintf(name, sizeof(name), "vf%u", v);
		check(!mem__add(&m.mem, name, RAM_BASE + v * 0x1000000ull, RAM_SIZE, &r), "ram");
		m.ram[v] = r->host;
		memset(m.ram[v], CANARY, RAM_SIZE);
		check(!dma_domain__create(&m.dom[v], &m.pool, m.iommu, (uint16_t)(v + 1), 0),
		      "dom");
		check(!dma_domain__map(&m.dom[v], 0, RAM_BASE + v * 0x1000000ull, RAM_SIZE,
				       IOMMU_READ | IOMMU_WRITE),
		      "map");
	}
}

static void set_rar(unsigned idx, unsigned pool)
{
	uint8_t mac[6];

	mac_of(pool, mac);
	pf_wr(E1000_RAL(idx), le32_get(mac));
	pf_wr(E1000_RAH(idx), le16_get(mac + 4) | E1000_RAH_AV | BIT(E1000_RAH_POOL_SHIFT + pool));
}

/* igbvf's ring bring-up for a well-behaved VF. */
static void rings(unsigned v)
{
	struct peer *p = &m.peer[v];

	memset(m.ram[v] + TX_RING, 0, NDESC * 16);
	memset(m.ram[v] + RX_RING, 0, NDESC * 16);
	vf_wr(v, E1000_VF_TXQ(0) + E1000_QR_DCTL, 0);
	vf_wr(v, E1000_VF_TXQ(0) + E1000_QR_BAL, (uint32_t)TX_RING);
	vf_wr(v, E1000_VF_TXQ(0) + E1000_QR_LEN, NDESC * 16);
	vf_wr(v, E1000_VF_TXQ(0) + E1000_QR_DCTL, E1000_TXDCTL_QUEUE_ENABLE);
	vf_wr(v, E1000_VF_RXQ(0) + E1000_QR_DCTL, 0);
	vf_wr(v, E1000_VF_RXQ(0) + E1000_QR_BAL, (uint32_t)RX_RING);
	vf_wr(v, E1000_VF_RXQ(0) + E1000_QR_LEN, NDESC * 16);
	vf_wr(v, E1000_VF_RXQ(0) + E1000_QR_SRRCTL,
	      2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | E1000_SRRCTL_DROP_EN);
	vf_wr(v, E1000_VF_RXQ(0) + E1000_QR_DCTL, E1000_RXDCTL_QUEUE_ENABLE);
	*p = (struct peer){0};
	for (unsigned i = 0; i < NDESC - 1; i++) {
		le64_put(m.ram[v] + RX_RING + 16 * i, RX_BUF + i * BUF);
		le64_put(m.ram[v] + RX_RING + 16 * i + 8, 0);
	}
	p->rx_tail = NDESC - 1;
	vf_wr(v, E1000_VF_RXQ(0) + E1000_QR_TAIL, p->rx_tail);
}

/* What the loop still holds from the last run. */
static void drain_wire(void)
{
	static uint8_t frame[WIRE_FRAME_MAX];
	struct wire_buf b;

	do
		b = (struct wire_buf){frame, sizeof(frame), 0};
	while (wire__recv(m.wire, &b, 1) == 1);
}

/* A NIC set up as igb sets it up with three VFs. */
static void nic_init(void)
{
	struct e82576_config c = {.bus = 1, .msi = on_msi, .now_ns = fake_now, .iommu = m.iommu};
	unsigned cap = E82576_ECAP_SRIOV;

	m.now = 1000000000;
	if (!m.nic) {
		check(!e82576__create(&m.nic, &c), "nic");
		m.pf = &e82576__pci(m.nic)->pf[0];
	} else {
		/* A PF FLR (cheaper than a new device): SR-IOV off, every register at its
		 * power-on value, and the datapath's own state forgotten, so that runs do not
		 * depend on each other. */
		pci_func__flr(m.pf);
		nic_dp__reset(&m.nic->port[0]);
	}
	drain_wire();
	nic_dp__attach_wire(&m.nic->port[0], m.wire);
	m.vf0_ntx = m.vf0_next = 0;
	pci_func__cfg_write(m.pf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_func__cfg_write(m.pf, cap + PCI_SRIOV_NUM_VF, 2, NVF);
	pci_func__cfg_write(m.pf, cap + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	for (unsigned v = 0; v < NVF; v++) {
		m.vf[v] = &e82576__pci(m.nic)->vf[0][v];
		pci_func__cfg_write(m.vf[v], PCI_COMMAND, 2, PCI_COMMAND_MASTER);
		if (!m.attached)
			check(!context__attach(&m.ct, m.vf[v]->rid, &m.dom[v]), "attach");
		set_rar(E1000_RAR_ENTRIES - 1 - v, v);
		pf_wr(E1000_VMOLR(v), E1000_VMOLR_AUPE | E1000_VMOLR_BAM | E1000_VMOLR_STRVLAN |
					  E1000_VMOLR_STRCRC);
	}
	m.attached = true;
	pf_wr(E1000_MRQC, E1000_MRQC_ENABLE_VMDQ);
	pf_wr(E1000_VT_CTL, NVF << E1000_VT_CTL_DEF_PL_SHIFT);
	pf_wr(E1000_DTXSWC, E1000_DTXSWC_VMDQ_LOOPBACK_EN | 0x707);
	pf_wr(E1000_VFRE, 7);
	pf_wr(E1000_VFTE, 7);
	pf_wr(E1000_QDE, 0xffff);
	pf_wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_VFE);
	pf_wr(E1000_TCTL, E1000_TCTL_EN);
	memset(m.ram[0], 0, RAM_SIZE);
	rings(1);
	rings(2);
}

/* Well-behaved VF v sends one numbered frame to its peer, if its ring has room. */
static void peer_send(unsigned v)
{
	struct peer *p = &m.peer[v];
	uint32_t head = vf_rd(v, E1000_VF_TXQ(0) + E1000_QR_HEAD), len = 60 + p->seq_sent % 900;
	uint64_t buf = TX_BUF + p->tx_next * BUF;
	uint8_t *b = m.ram[v] + buf, *d = m.ram[v] + TX_RING + 16 * p->tx_next;

	if ((p->tx_next + 1) % NDESC == head)
		return;
	mac_of(3 - v, b);
	mac_of(v, b + 6);
	b[12] = 0x88;
	b[13] = 0xb5;
	le32_put(b + 14, p->seq_sent);
	for (uint32_t k = 18; k < len; k++)
		b[k] = (uint8_t)(k ^ p->seq_sent);
	le64_put(d, buf);
	le32_put(d + 8, E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_EOP |
			    E1000_ADVTXD_DCMD_RS | len);
	le32_put(d + 12, len << E1000_ADVTXD_PAYLEN_SHIFT);
	p->tx_next = (p->tx_next + 1) % NDESC;
	p->seq_sent++;
	vf_wr(v, E1000_VF_TXQ(0) + E1000_QR_TAIL, p->tx_next);
}

/* Well-behaved VF v takes what it received: its peer's frames must be intact and in order. */
static unsigned peer_receive(unsigned v)
{
	struct peer *p = &m.peer[v], *from = &m.peer[3 - v];
	unsigned got = 0;
	uint8_t peer_mac[6];

	mac_of(3 - v, peer_mac);
	for (;;) {
		uint8_t *d = m.ram[v] + RX_RING + 16 * p->rx_next, *b;
		uint32_t status = le32_get(d + 8), len = le16_get(d + 12), seq;

		if (!(status & E1000_RXD_STAT_DD))
			break;
		check(status & E1000_RXD_STAT_EOP, "a well-behaved VF got a split frame");
		b = m.ram[v] + RX_BUF + p->rx_next * BUF;
		if (!memcmp(b + 6, peer_mac, 6)) {
			seq = le32_get(b + 14);
			check(seq >= p->seq_seen && seq < from->seq_sent,
			      "peer frame out of order");
			check(len == 60 + seq % 900, "peer frame length");
			for (uint32_t k = 18; k < len; k++)
				check(b[k] == (uint8_t)(k ^ seq), "peer frame corrupted");
			p->seq_seen = seq + 1;
			got++;
		}
		/* Refill the next free slot, as igbvf does, and hand it over. */
		d = m.ram[v] + RX_RING + 16 * p->rx_tail;
		le64_put(d, RX_BUF + p->rx_tail * BUF);
		le64_put(d + 8, 0);
		p->rx_next = (p->rx_next + 1) % NDESC;
		p->rx_tail = (p->rx_tail + 1) % NDESC;
		vf_wr(v, E1000_VF_RXQ(0) + E1000_QR_TAIL, p->rx_tail);
	}
	return got;
}

static bool untouched(const uint8_t *p, uint64_t len)
{
	static uint8_t canary[4096];

	if (!canary[0])
		memset(canary, CANARY, sizeof(canary));
	for (uint64_t off = 0; off < len; off += sizeof(canary))
		if (memcmp(p + off, canary, MIN(sizeof(canary), len - off)))
			return false;
	return true;
}

/* Everything the NIC may not write in a well-behaved VF's memory, and the secret region. */
static void check_canaries(void)
{
	static const struct {
		uint64_t from, to;
	} zones[] = {{0, TX_RING},
		     {TX_RING + NDESC * 16, RX_RING},
		     {RX_RING + NDESC * 16, TX_BUF},
		     {RX_BUF + NDESC * BUF, RAM_SIZE}};

	for (unsigned v = 1; v < NVF; v++)
		for (unsigned z = 0; z < sizeof(zones) / sizeof(zones[0]); z++)
			check(untouched(m.ram[v] + zones[z].from, zones[z].to - zones[z].from),
			      "DMA outside a VF's rings and buffers");
	check(untouched(m.secret, 0x10000), "DMA into memory nobody maps");
}

static void poll_all(void)
{
	for (unsigned guard = 0; guard < 64 && nic_dp__poll(&m.nic->port[0], 64); guard++)
		;
}

/* PF registers that only set VF 0's own policy. */
static void pf_policy(uint8_t which, uint32_t v)
{
	switch (which % 4) {
	case 0:
		pf_wr(E1000_VMVIR(0), v);
		break;
	case 1:
		pf_wr(E1000_VMOLR(0), v);
		break;
	case 2:
		pf_wr(E1000_RTTDQSEL, (v >> 30) & 1 ? 8 : 0);
		pf_wr(E1000_RTTBCNRC, v);
		break;
	default:
		/* VLAN anti-spoofing only: without the MAC check VF 0 could pose as VF 1. */
		pf_wr(E1000_DTXSWC,
		      (e82576__rd32(m.nic, m.pf, E1000_DTXSWC) & ~BIT(8)) | (v & BIT(8)));
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* VF 0 brings its rings up as igbvf would, with sizes, places and buffer sizes from the input
 * (a base may lie outside its memory). */
static void vf0_rings(uint32_t a, uint32_t v)
{
	uint32_t ntx = 8 * (1 + (a & 0x1f)), nrx = 8 * (1 + ((a >> 5) & 7));
	uint32_t txb = v & 1 ? (uint32_t)TX_RING : v & 0xffff80,
		 rxb = v & 2 ? (uint32_t)RX_RING : v >> 8;
	uint32_t srrctl = ((a >> 8) & 0x7f) | (a & 0x8000 ? E1000_SRRCTL_DESCTYPE_HDR_SPLIT_ALWAYS
							  : E1000_SRRCTL_DESCTYPE_ADV_ONEBUF);

	vf_wr(0, E1000_VF_TXQ(0) + E1000_QR_DCTL, 0);
	vf_wr(0, E1000_VF_TXQ(0) + E1000_QR_BAL, txb);
	vf_wr(0, E1000_VF_TXQ(0) + E1000_QR_BAH, 0);
	vf_wr(0, E1000_VF_TXQ(0) + E1000_QR_LEN, ntx * 16);
	vf_wr(0, E1000_VF_TXQ(0) + E1000_QR_HEAD, 0);
	vf_wr(0, E1000_VF_TXQ(0) + E1000_QR_TAIL, 0);
	vf_wr(0, E1000_VF_TXQ(0) + E1000_QR_DCTL, E1000_TXDCTL_QUEUE_ENABLE);
	vf_wr(0, E1000_VF_RXQ(0) + E1000_QR_DCTL, 0);
	vf_wr(0, E1000_VF_RXQ(0) + E1000_QR_BAL, rxb);
	vf_wr(0, E1000_VF_RXQ(0) + E1000_QR_BAH, 0);
	vf_wr(0, E1000_VF_RXQ(0) + E1000_QR_LEN, nrx * 16);
	vf_wr(0, E1000_VF_RXQ(0) + E1000_QR_HEAD, 0);
	vf_wr(0, E1000_VF_RXQ(0) + E1000_QR_TAIL, 0);
	vf_wr(0, E1000_VF_RXQ(0) + E1000_QR_SRRCTL, srrctl);
	vf_wr(0, E1000_VF_RXQ(0) + E1000_QR_DCTL, E1000_RXDCTL_QUEUE_ENABLE);
	if (rxb == RX_RING) {
		for (unsigned i = 0; i < nrx; i++) {
			/* Buffers in its memory, or (bit 2) one at an address it does not own. */
			uint64_t buf = (v & 4) && i == 3 ? 0x7000000 : RX_BUF + (i % 64) * BUF;

			le64_put(m.ram[0] + RX_RING + 16 * i, buf);
			le64_put(m.ram[0] + RX_RING + 16 * i + 8, 0);
		}
		vf_wr(0, E1000_VF_RXQ(0) + E1000_QR_TAIL, nrx - 1);
	}
	m.vf0_ntx = txb == TX_RING ? ntx : 0;
	m.vf0_next = 0;
}

static void put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * VF 0 queues one frame shaped by 16 bytes of input: its destination (VF 1, VF 2, broadcast,
 * multicast, itself, the PF, any), what it carries (IPv4/IPv6 TCP/UDP, tagged or not), its
 * length, how many descriptors it takes (an empty one among them), a context descriptor and
 * the offloads asked for, and descriptor bits a driver should not set (TSO, legacy, no EOP).
 */
static void vf0_frame(const uint8_t *k)
{
	static const uint8_t mc[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	uint32_t len = 14 + le16_get(k + 3) % 10000, l3 = 14, frags = k[2] % 4 + 1, off = 0;
	uint8_t *b = m.ram[0] + TX_BUF, kind = k[1] % 5, proto = kind == 1 || kind == 2 ? 17 : 6;
	uint32_t idx = m.vf0_next, n = m.vf0_ntx;

	if (!n)
		return;
	switch (k[0] % 7) {
	case 0:
	case 1:
		mac_of(1 + k[0] % 7, b);
		break;
	case 2:
		memset(b, 0xff, 6);
		break;
	case 3:
		memcpy(b, mc, 6);
		break;
	case 4:
		mac_of(0, b);
		break;
	case 5:
		memcpy(b, (const uint8_t[]){0x02, 0, 0, 0, 0, 0xff}, 6);
		break;
	default:
		memcpy(b, k + 8, 6);
		break;
	}
	mac_of(0, b + 6);
	memset(b + 12, k[15], len - 12);
	if (kind == 3) {
		put16be(b + 12, 0x8100);
		put16be(b + 14, k[9] & 0xf ? k[9] : 0);
		l3 = 18;
	}
	put16be(b + l3 - 2, kind == 4 ? 0x88b5 : kind == 2 ? 0x86dd : 0x0800);
	if (kind != 4 && len > l3 + 40) {
		b[l3] = kind == 2 ? 0x60 : 0x45;
		if (kind == 2) {
			put16be(b + l3 + 4, (uint16_t)(len - l3 - 40));
			b[l3 + 6] = proto;
		} else {
			put16be(b + l3 + 2, (uint16_t)(len - l3));
			put16be(b + l3 + 6, k[10] & 1 ? 0x2000 : 0);
			b[l3 + 9] = proto;
		}
	}
	if (k[6] & 4) {
		uint8_t *d = m.ram[0] + TX_RING + 16 * idx;
		uint32_t maclen = k[7] & 8 ? k[7] : l3, iplen = k[6] & 8    ? k[11]
								: kind == 2 ? 40
									    : 20;

		le32_put(d, iplen | (maclen & 0x7f) << 9 | (uint32_t)k[12] << 16);
		le32_put(d + 4, 0);
		le32_put(d + 8, E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DTYP_CTXT |
				    (kind == 2 ? 0 : E1000_ADVTXD_TUCMD_IPV4) |
				    (proto == 6 ? E1000_ADVTXD_TUCMD_L4T_TCP : 0));
		le32_put(d + 12, (uint32_t)(k[13] & 0x10));
		idx = (idx + 1) % n;
	}
	for (uint32_t f = 0; f < frags; f++) {
		uint8_t *d = m.ram[0] + TX_RING + 16 * idx;
		uint32_t chunk = f + 1 == frags ? len - off : len / frags;
		uint32_t cmd =
		    E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_IFCS;

		if ((k[2] & 0x80) && f == 1)
			chunk = 0;
		if (k[5] & 1)
			cmd |= E1000_ADVTXD_DCMD_VLE;
		if (k[5] & 2)
			cmd |= E1000_ADVTXD_DCMD_TSE;
		if (k[5] & 8)
			cmd &= ~E1000_ADVTXD_DCMD_DEXT;
		if (k[5] & 16)
			cmd ^= 0x00c00000; /* another DTYP */
		if (f + 1 == frags && !(k[5] & 32))
			cmd |= E1000_ADVTXD_DCMD_EOP | (k[5] & 4 ? 0 : E1000_ADVTXD_DCMD_RS);
		le64_put(d, TX_BUF + off);
		le32_put(d + 8, cmd | chunk);
		le32_put(d + 12, f ? 0
				   : len << E1000_ADVTXD_PAYLEN_SHIFT | (k[6] & 3) << 8 |
					 (uint32_t)(k[13] & 0x10));
		off += chunk;
		idx = (idx + 1) % n;
	}
	m.vf0_next = idx;
	vf_wr(0, E1000_VF_TXQ(0) + E1000_QR_TAIL, idx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct iommu_fault rec;
	unsigned ops = 0;

	if (!ready) {
		machine_init();
		ready = true;
	}
	nic_init();
	while (size >= 7 && ops++ < MAX_OPS) {
		uint8_t op = data[0];
		uint32_t a = le16_get(data + 1), v = le32_get(data + 3);

		data += 7;
		size -= 7;
		switch (op % 10) {
		case 0: /* a VF 0 register */
			vf_wr(0, (a << 2) % E1000_VF_MMIO_SIZE, v);
			break;
		case 1: /* a Tx descriptor of VF 0's, where its ring may be */
			if (size < 16)
				break;
			memcpy(m.ram[0] + TX_RING + (a % 256) * 16, data, 16);
			data += 16;
			size -= 16;
			break;
		case 2: /* bytes anywhere in VF 0's memory */
			memset(m.ram[0] + (v % RAM_SIZE), (uint8_t)a,
			       MIN(a >> 8, RAM_SIZE - v % RAM_SIZE));
			break;
		case 3: /* VF 0's Tx tail */
			vf_wr(0, E1000_VF_TXQ(a & 1) + E1000_QR_TAIL, v);
			break;
		case 4: /* the well-behaved pair talk */
			peer_send(1);
			peer_send(2);
			break;
		case 5:
			poll_all();
			peer_receive(1);
			peer_receive(2);
			break;
		case 6:
			m.now += v;
			break;
		case 7:
			vf0_rings(a, v);
			break;
		case 8:
			if (size < 16)
				break;
			vf0_frame(data);
			data += 16;
			size -= 16;
			break;
		default:
			pf_policy((uint8_t)a, v);
			break;
		}
	}
	poll_all();
	peer_receive(1);
	peer_receive(2);
	/* The PF cuts VF 0 off; the pair must get a frame through each way. */
	pf_wr(E1000_VFTE, 6);
	poll_all();
	peer_receive(1);
	peer_receive(2);
	peer_send(1);
	peer_send(2);
	poll_all();
	peer_receive(1);
	peer_receive(2);
	check(m.peer[1].seq_seen == m.peer[2].seq_sent, "VF 2's last frame to VF 1 was lost");
	check(m.peer[2].seq_seen == m.peer[1].seq_sent, "VF 1's last frame to VF 2 was lost");
	check_canaries();
	while (!iommu__fault_pop(m.iommu, &rec))
		check(rec.sid == m.vf[0]->rid, "a well-behaved VF faulted");
	return 0;
}
