/*
 * Datapath statistics: the PF's counters (read to clear, saturating, 82576.md section 4), the
 * per-VF mirrors igbvf reads through its BAR (32-bit, wrapping, never cleared by a read), and the
 * port's own counters of frames moved and dropped by reason, and the same per pool, which any
 * thread may read.
 *
 * Octet counters count the frame as the wire carries it, FCS included (4 bytes more than the
 * bytes in the buffers), as the e1000 family's GORC/GOTC do. Broadcasts are not multicasts here
 * (BPRC and MPRC apart, VFMPRC without broadcasts).
 */
#include "hw/nic/nic.h"
#include "lib/compiler.h"

static const char *const drop_names[E82576_DROP_NR] = {
    [E82576_DROP_NO_DESC] = "no_desc",	       [E82576_DROP_SPOOF_MAC] = "spoof_mac",
    [E82576_DROP_SPOOF_VLAN] = "spoof_vlan",   [E82576_DROP_TX_TOO_LONG] = "tx_too_long",
    [E82576_DROP_RX_TOO_LONG] = "rx_too_long", [E82576_DROP_TX_GATED] = "tx_gated",
    [E82576_DROP_RX_GATED] = "rx_gated",       [E82576_DROP_DMA_FAULT] = "dma_fault",
    [E82576_DROP_BAD_DESC] = "bad_desc",       [E82576_DROP_RX_QUEUE_OFF] = "rx_queue_off",
    [E82576_DROP_FILTERED] = "filtered",       [E82576_DROP_LINK_DOWN] = "link_down",
    [E82576_DROP_VLAN] = "vlan",	       [E82576_DROP_UNTAGGED] = "untagged",
};

const char *e82576_drop__name(enum e82576_drop why)
{
	return (unsigned)why < E82576_DROP_NR ? drop_names[why] : "unknown";
}

/* One writer (the port's thread), readers anywhere. */
void nic_stats__count(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, *counter + n, __ATOMIC_RELAXED);
}

void nic_stats__drop(struct nic_port *p, enum e82576_drop why)
{
	nic_stats__count(&p->dp.stats.drops[why], 1);
}

void nic_stats__rx_drop(struct nic_port *p, unsigned pool, enum e82576_drop why)
{
	struct e82576_pool_stats *s = &p->dp.pool_stats[pool];

	nic_stats__drop(p, why);
	nic_stats__count(&s->rx_drops, 1);
	if (why == E82576_DROP_VLAN)
		nic_stats__count(&s->rx_vlan, 1);
	else if (why == E82576_DROP_UNTAGGED)
		nic_stats__count(&s->rx_untagged, 1);
}

void nic_stats__tx_drop(struct nic_port *p, unsigned pool, enum e82576_drop why)
{
	nic_stats__drop(p, why);
	nic_stats__count(&p->dp.pool_stats[pool].tx_drops, 1);
}

unsigned nic_stats__rxq_pool(const struct nic_port *p, unsigned q)
{
	return nic_switch__vmdq(p) ? q & (E82576_POOLS - 1) : E82576_POOLS;
}

void nic_stats__reg_add(struct nic_port *p, uint32_t off, uint32_t n)
{
	uint32_t v = nic_get(p, off);

	nic_set(p, off, v > UINT32_MAX - n ? UINT32_MAX : v + n);
}

/* GORCL/GORCH and GOTCL/GOTCH: one 64-bit count in two read-to-clear halves. */
static void reg_add64(struct nic_port *p, uint32_t lo, uint64_t n)
{
	uint64_t v = nic_get(p, lo) | (uint64_t)nic_get(p, lo + 4) << 32;

	v = v > UINT64_MAX - n ? UINT64_MAX : v + n;
	nic_set(p, lo, (uint32_t)v);
	nic_set(p, lo + 4, (uint32_t)(v >> 32));
}

static void mirror_add(struct nic_port *p, uint32_t off, uint32_t n)
{
	nic_set(p, off, nic_get(p, off) + n);
}

static uint32_t octets(const struct nic_frame *f)
{
	return f->len + ETH_FCS_LEN;
}

void nic_stats__wire_tx(struct nic_port *p, const struct nic_frame *f)
{
	nic_stats__count(&p->dp.stats.wire_tx, 1);
	nic_stats__reg_add(p, E1000_TPT, 1);
	nic_stats__reg_add(p, E1000_GPTC, 1);
	reg_add64(p, E1000_GOTCL, octets(f));
	if (nic_frame__bcast(f))
		nic_stats__reg_add(p, E1000_BPTC, 1);
	else if (nic_frame__mcast(f))
		nic_stats__reg_add(p, E1000_MPTC, 1);
}

void nic_stats__wire_rx(struct nic_port *p, const struct nic_frame *f, bool accepted)
{
	nic_stats__count(&p->dp.stats.wire_rx, 1);
	nic_stats__reg_add(p, E1000_TPR, 1);
	if (!accepted)
		return;
	nic_stats__reg_add(p, E1000_GPRC, 1);
	reg_add64(p, E1000_GORCL, octets(f));
	if (nic_frame__bcast(f))
		nic_stats__reg_add(p, E1000_BPRC, 1);
	else if (nic_frame__mcast(f))
		nic_stats__reg_add(p, E1000_MPRC, 1);
}

/*
 * Frames Tx queues sent and copies Rx queues took are counted per pool during the pass and
 * added to the counters and the VF's mirrors when it ends: a few adds to one hot line per frame
 * instead of five counters and up to five registers. Nothing reads them in between: registers
 * are read on this thread between passes, the port's counters are relaxed snapshots anyway,
 * and the mirrors wrap modulo 2^32 whether added frame by frame or at once.
 */
_Static_assert(NIC_DP_POOLS == E82576_POOLS, "a count per pool, and one for the PF outside VMDq");

void nic_stats__pool_tx(struct nic_port *p, unsigned pool, const struct nic_frame *f, bool looped)
{
	struct nic_pool_count *c = &p->dp.count[pool];

	p->dp.counted |= BIT(pool);
	c->tx++;
	c->tx_octets += octets(f);
	c->tx_bytes += f->len;
	if (looped) {
		c->tx_lb++;
		c->tx_lb_octets += octets(f);
	}
}

void nic_stats__pool_rx(struct nic_port *p, unsigned pool, const struct nic_frame *f, bool looped)
{
	struct nic_pool_count *c = &p->dp.count[pool];

	p->dp.counted |= BIT(pool);
	c->rx++;
	c->rx_octets += octets(f);
	c->rx_bytes += f->len;
	c->rx_mc += nic_frame__mcast(f);
	if (looped) {
		c->rx_lb++;
		c->rx_lb_octets += octets(f);
	}
}

void nic_stats__flush(struct nic_port *p)
{
	struct e82576_dp_stats *st = &p->dp.stats;
	unsigned nvfs = nic_port__num_vfs(p);

	for (uint32_t m = p->dp.counted; m; m &= m - 1) {
		unsigned pool = (unsigned)__builtin_ctz(m);
		struct nic_pool_count *c = &p->dp.count[pool];
		struct e82576_pool_stats *ps = &p->dp.pool_stats[pool];

		nic_stats__count(&ps->tx_frames, c->tx);
		nic_stats__count(&ps->tx_bytes, c->tx_bytes);
		nic_stats__count(&ps->rx_frames, c->rx);
		nic_stats__count(&ps->rx_bytes, c->rx_bytes);
		nic_stats__count(&st->tx_frames, c->tx);
		nic_stats__count(&st->tx_bytes, c->tx_bytes);
		nic_stats__count(&st->rx_frames, c->rx);
		nic_stats__count(&st->rx_bytes, c->rx_bytes);
		nic_stats__count(&st->loopback, c->rx_lb);
		if (pool < nvfs) {
			mirror_add(p, E1000_PVFGPTC(pool), c->tx);
			mirror_add(p, E1000_PVFGOTC(pool), c->tx_octets);
			mirror_add(p, E1000_PVFGPTLBC(pool), c->tx_lb);
			mirror_add(p, E1000_PVFGOTLBC(pool), c->tx_lb_octets);
			mirror_add(p, E1000_PVFGPRC(pool), c->rx);
			mirror_add(p, E1000_PVFGORC(pool), c->rx_octets);
			mirror_add(p, E1000_PVFMPRC(pool), c->rx_mc);
			mirror_add(p, E1000_PVFGPRLBC(pool), c->rx_lb);
			mirror_add(p, E1000_PVFGORLBC(pool), c->rx_lb_octets);
		}
		*c = (struct nic_pool_count){0};
	}
	p->dp.counted = 0;
}

static uint64_t load(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void e82576__dp_stats(struct e82576 *nic, unsigned port, struct e82576_dp_stats *st)
{
	const struct e82576_dp_stats *s = &nic->port[port].dp.stats;

	st->tx_frames = load(&s->tx_frames);
	st->tx_bytes = load(&s->tx_bytes);
	st->rx_frames = load(&s->rx_frames);
	st->rx_bytes = load(&s->rx_bytes);
	st->wire_tx = load(&s->wire_tx);
	st->wire_rx = load(&s->wire_rx);
	st->loopback = load(&s->loopback);
	st->queue_errors = load(&s->queue_errors);
	st->bad_tail = load(&s->bad_tail);
	for (unsigned i = 0; i < E82576_DROP_NR; i++)
		st->drops[i] = load(&s->drops[i]);
}

void e82576__pool_stats(struct e82576 *nic, unsigned port, unsigned pool,
			struct e82576_pool_stats *st)
{
	const struct e82576_pool_stats *s = &nic->port[port].dp.pool_stats[pool];

	st->rx_frames = load(&s->rx_frames);
	st->rx_bytes = load(&s->rx_bytes);
	st->tx_frames = load(&s->tx_frames);
	st->tx_bytes = load(&s->tx_bytes);
	st->rx_drops = load(&s->rx_drops);
	st->tx_drops = load(&s->tx_drops);
	st->rx_vlan = load(&s->rx_vlan);
	st->rx_untagged = load(&s->rx_untagged);
}
