/*
 * Per-queue Tx rate limiting as igb programs it on the 82576 (82576.md section 8 item 13):
 * RTTDQSEL selects queue q, RTTBCNRC = RS_ENA | rate factor, the factor being link speed / rate
 * as a fixed-point number with 14 fraction bits. A limited queue is paced on nic__now() by a
 * virtual clock (GCRA): each frame pushes the queue's next allowed time by the time the wire
 * needs for it at the limited rate; a frame waits (it is never dropped) while that time is more
 * than RATE_BURST_FRAMES largest frames ahead of now, which is the burst the limiter tolerates.
 * That tolerance is what the hardware's memory window (RTTBCNRM) gives: it lets a queue make up
 * for an engine that woke late (a host under load schedules it milliseconds late), so the rate
 * holds over a window of a second instead of falling by the wake-up latency on every frame.
 *
 * The wire time of a frame counts what the link carries for it: the frame padded to 60 bytes,
 * FCS, preamble and inter-packet gap (24 bytes), at the speed STATUS reports. RTTBCNRM (the
 * memory window igb writes) is stored by general.c but not used: the burst is fixed here.
 */
#include "hw/nic/nic.h"
#include "lib/compiler.h"

#define ETH_ZLEN     60 /* shortest frame on the wire, without FCS */
#define ETH_OVERHEAD 24 /* FCS 4, preamble and SFD 8, inter-packet gap 12 */
#define RF_ONE	     (1u << E1000_RTTBCNRC_RF_INT_SHIFT)
#define RATE_BURST_FRAMES 16 /* 16 x 9.7 KiB: 1.3 ms at 1 Gbit/s, 12 ms at 100 Mbit/s */

static uint32_t rate_factor(const struct nic_port *p, unsigned q)
{
	uint32_t v = p->rttbcnrc[q];
	uint32_t rf = v & (E1000_RTTBCNRC_RF_INT_MASK | E1000_RTTBCNRC_RF_DEC_MASK);

	if (!(v & E1000_RTTBCNRC_RS_ENA))
		return 0;
	/* A factor below 1 asks for more than the link: the link is the limit. */
	return MAX(rf, RF_ONE);
}

/* Nanoseconds the link needs for a frame of len bytes, scaled by the rate factor. */
static uint64_t wire_ns(const struct nic_port *p, uint32_t rf, uint32_t len)
{
	uint32_t speed = nic_get(p, E1000_STATUS) & E1000_STATUS_SPEED_MASK;
	uint64_t ns_per_byte = speed == E1000_STATUS_SPEED_1000	 ? 8
			       : speed == E1000_STATUS_SPEED_100 ? 80
								 : 800;
	uint64_t bytes = MAX(len, ETH_ZLEN) + ETH_OVERHEAD;

	return (bytes * ns_per_byte * rf) >> E1000_RTTBCNRC_RF_INT_SHIFT;
}

bool nic_rate__admit(struct nic_port *p, unsigned q, uint32_t len, uint64_t now)
{
	struct nic_txq *txq = &p->dp.txq[q];
	uint32_t rf = rate_factor(p, q);

	if (!rf)
		return true;
	if (txq->rate_tat > now + RATE_BURST_FRAMES * wire_ns(p, rf, NIC_TX_FRAME_MAX))
		return false;
	txq->rate_tat = MAX(txq->rate_tat, now) + wire_ns(p, rf, len);
	return true;
}

uint64_t nic_rate__wake(struct nic_port *p, unsigned q)
{
	uint32_t rf = rate_factor(p, q);
	uint64_t burst;

	if (!rf)
		return 0;
	burst = RATE_BURST_FRAMES * wire_ns(p, rf, NIC_TX_FRAME_MAX);
	return p->dp.txq[q].rate_tat > burst ? p->dp.txq[q].rate_tat - burst : 1;
}
