/*
 * PF side of the 82576 mailbox (mailbox.md sections 2-7): the buffer lock, read and write, and
 * the mailbox task run after ICR.VMMB. Per VF, in igb's order: reset event (VFLRE), request
 * (MBVFICR.VFREQ), acknowledgement (MBVFICR.VFACK). A VF that has not completed VF_RESET gets
 * NACK, at most once every 2 s.
 *
 * dom0 never waits for a VF. igb retries a busy lock ten times, 1 ms apart, on the CPU that
 * serves every VF; here the lock is tried once, and a VF that holds its buffer is skipped and
 * served later from a timer, with growing intervals and its mailbox interrupt masked meanwhile
 * (mdd.h, MDD_MBX_*): a guest that keeps its mailbox locked delays only itself.
 */
#include <errno.h>
#include <stddef.h>

#include "mdd.h"

/* One try: PFU is a level that only takes while the VF does not hold VFU, so read it back. */
static int mbx_lock(struct mdd_adapter *a, unsigned vf)
{
	wr32(a, E1000_P2VMAILBOX(vf), E1000_P2VMAILBOX_PFU);
	if (rd32(a, E1000_P2VMAILBOX(vf)) & E1000_P2VMAILBOX_PFU)
		return 0;
	return a->pdev->gone ? -ENODEV : -EBUSY;
}

void mdd_mbx_unlock(struct mdd_adapter *a, unsigned vf)
{
	wr32(a, E1000_P2VMAILBOX(vf), 0);
}

/* Read a message and keep the lock (ACK | PFU) while it is handled; the reply unlocks. */
int mdd_mbx_read(struct mdd_adapter *a, unsigned vf, uint32_t *msg, unsigned len)
{
	int err = mbx_lock(a, vf);

	if (err)
		return err;
	for (unsigned i = 0; i < len; i++)
		msg[i] = rd32(a, E1000_VMBMEM(vf) + 4 * i);
	wr32(a, E1000_P2VMAILBOX(vf), E1000_P2VMAILBOX_ACK | E1000_P2VMAILBOX_PFU);
	return 0;
}

/* -EBUSY when the VF holds the buffer: the caller decides whether to retry. */
int mdd_mbx_write(struct mdd_adapter *a, unsigned vf, const uint32_t *msg, unsigned len)
{
	int err = mbx_lock(a, vf);

	if (err)
		return err;
	/* A stale VF acknowledgement belongs to an earlier message: drop it. */
	wr32(a, E1000_MBVFICR, 1u << (vf + E1000_MBVFICR_VFACK_SHIFT));
	for (unsigned i = 0; i < len; i++)
		pci__writel_post(a->hw, E1000_VMBMEM(vf) + 4 * i, msg[i]);
	/* STS without PFU: signals the VF and releases the buffer */
	wr32(a, E1000_P2VMAILBOX(vf), E1000_P2VMAILBOX_STS);
	return 0;
}

/* ---- a VF that holds its buffer: retried later, never waited for ---- */

static void mbvfimr_set(struct mdd_adapter *a, unsigned vf, bool on)
{
	uint32_t v = rd32(a, E1000_MBVFIMR), bit = 1u << vf;

	if (!!(v & bit) != on)
		wr32(a, E1000_MBVFIMR, on ? v | bit : v & ~bit);
}

static void retry_arm(struct mdd_adapter *a)
{
	uint64_t now = os__now_ns(), next = UINT64_MAX;

	for (unsigned vf = 0; vf < a->num_vfs; vf++) {
		const struct mdd_vf *v = &a->vf[vf];

		if ((v->req_pending || v->ping_pending) && v->retry_ns < next)
			next = v->retry_ns;
	}
	if (next != UINT64_MAX)
		os__timer_arm(a->mbx_retry, next > now ? next - now : 1);
}

/*
 * The VF held the lock: try again later, each time later still, with its mailbox interrupt
 * masked until then. False when it has been deferred too often: give up on it.
 */
static bool defer(struct mdd_adapter *a, unsigned vf)
{
	struct mdd_vf *v = &a->vf[vf];
	uint64_t now = os__now_ns(), wait = MDD_MBX_RETRY_NS << (v->defers < 7 ? v->defers : 7);

	v->mbx_deferred++;
	if (++v->defers > MDD_MBX_DEFER_MAX) {
		v->mbx_dropped++;
		if (!v->last_defer_log_ns || now - v->last_defer_log_ns >= MDD_LOG_WINDOW_NS) {
			v->last_defer_log_ns = now;
			os__log(
			    MDD_TAG,
			    "%s: VF %u keeps its mailbox locked: message dropped after %u tries "
			    "(%llu deferred, %llu dropped so far)",
			    a->netdev.name, vf, MDD_MBX_DEFER_MAX,
			    (unsigned long long)v->mbx_deferred,
			    (unsigned long long)v->mbx_dropped);
		}
		v->defers = MDD_MBX_DEFER_MAX / 2; /* still slow to retry if it goes on */
		if (!v->req_pending && !v->ping_pending)
			mbvfimr_set(a, vf, true); /* its next request is heard again */
		return false;
	}
	if (wait > MDD_MBX_RETRY_MAX_NS)
		wait = MDD_MBX_RETRY_MAX_NS;
	v->retry_ns = now + wait;
	mbvfimr_set(a, vf, false);
	return true;
}

/* The VF let go in time: back to normal. */
static void served(struct mdd_adapter *a, unsigned vf)
{
	struct mdd_vf *v = &a->vf[vf];

	if (!v->req_pending && !v->ping_pending) {
		v->defers = 0;
		mbvfimr_set(a, vf, true);
	}
}

/* A VF reset ends any conversation in progress; its interrupt is unmasked again. */
void mdd_mbx_forget(struct mdd_adapter *a, unsigned vf)
{
	struct mdd_vf *v = &a->vf[vf];

	v->req_pending = v->ping_pending = false;
	v->defers = 0;
	if (!a->pdev->gone)
		mbvfimr_set(a, vf, true);
}

/* What the VF may see as CTS: it completed VF_RESET and its link is not disabled by the admin. */
static uint32_t mdd_cts(const struct mdd_adapter *a, unsigned vf)
{
	return a->vf[vf].cts && mdd_vf_may_run(a, vf) ? E1000_VT_MSGTYPE_CTS : 0;
}

static bool nack_due(struct mdd_vf *v, uint64_t now)
{
	if (now - v->last_nack_ns < MDD_NACK_WINDOW_NS)
		return false;
	v->last_nack_ns = now;
	return true;
}

static void mdd_rcv_msg(struct mdd_adapter *a, unsigned vf)
{
	struct mdd_vf *v = &a->vf[vf];
	uint32_t msg[E1000_VFMAILBOX_SIZE];
	uint64_t now = os__now_ns();
	int err;

	v->req_pending = false;
	err = mdd_mbx_read(a, vf, msg, E1000_VFMAILBOX_SIZE);
	if (err == -EBUSY && defer(a, vf)) {
		v->req_pending = true;
		return;
	}
	if (err != -EBUSY)
		served(a, vf);
	if (err) {
		/* The VF starts over: without CTS, its next link check fails and it resets. */
		v->cts = false;
		if (nack_due(v, now))
			os__log(MDD_TAG, "%s: VF %u mailbox read failed (%d)", a->netdev.name, vf,
				err);
		return;
	}
	if (msg[0] & (E1000_VT_MSGTYPE_ACK | E1000_VT_MSGTYPE_NACK)) {
		mdd_mbx_unlock(a, vf); /* a reply of ours seen again: nothing to do */
		return;
	}
	if ((msg[0] & 0xffff) == E1000_VF_RESET) {
		mdd_vf_reset_msg(a, vf);
		return;
	}
	if (!v->cts) {
		if (!nack_due(v, now)) {
			mdd_mbx_unlock(a, vf);
			return;
		}
		v->nacks++;
		if (now - v->last_nack_log_ns >= MDD_LOG_WINDOW_NS || !v->last_nack_log_ns) {
			v->last_nack_log_ns = now;
			os__log(MDD_TAG, "%s: VF %u sent message 0x%04x before VF_RESET: NACK",
				a->netdev.name, vf, msg[0] & 0xffff);
		}
		msg[0] |= E1000_VT_MSGTYPE_NACK;
		mdd_mbx_write(a, vf, msg, 1); /* we hold the lock since the read */
		return;
	}
	err = mdd_vf_msg(a, vf, msg);
	if (err)
		v->nacks++;
	msg[0] |= (err ? E1000_VT_MSGTYPE_NACK : E1000_VT_MSGTYPE_ACK) | mdd_cts(a, vf);
	mdd_mbx_write(a, vf, msg, 1);
}

/* The VF consumed a message of ours; one that is not clear to send should not be reading. */
static void mdd_rcv_ack(struct mdd_adapter *a, unsigned vf)
{
	struct mdd_vf *v = &a->vf[vf];
	uint32_t nack = E1000_VT_MSGTYPE_NACK;

	/* A lone NACK is advice, rate-limited anyway: not worth a retry if the buffer is held. */
	if (!v->cts && nack_due(v, os__now_ns()))
		mdd_mbx_write(a, vf, &nack, 1);
}

/*
 * PF_CONTROL_MSG to one VF (link change, PF reset, link state), with CTS only for a VF that may
 * run; the word is made when it is sent, so a retry carries the state of that moment. A VF
 * whose request is still unread is skipped: the ping would overwrite it, and the reply it will
 * get carries the same CTS.
 */
static void ping(struct mdd_adapter *a, unsigned vf, uint32_t pending)
{
	struct mdd_vf *v = &a->vf[vf];
	uint32_t word = E1000_PF_CONTROL_MSG | mdd_cts(a, vf);
	int err;

	v->ping_pending = false;
	if (pending & 1u << vf || v->req_pending)
		return;
	err = mdd_mbx_write(a, vf, &word, 1);
	if (err == -EBUSY && defer(a, vf)) {
		v->ping_pending = true;
		return;
	}
	if (err != -EBUSY)
		served(a, vf);
}

void mdd_ping_vf(struct mdd_adapter *a, unsigned vf)
{
	if (vf >= a->num_vfs || a->pdev->gone)
		return;
	ping(a, vf, rd32(a, E1000_MBVFICR) & E1000_MBVFICR_VFREQ_MASK);
	retry_arm(a);
}

void mdd_ping_all_vfs(struct mdd_adapter *a)
{
	uint32_t pending;

	if (!a->num_vfs || a->pdev->gone)
		return;
	pending = rd32(a, E1000_MBVFICR) & E1000_MBVFICR_VFREQ_MASK;
	for (unsigned vf = 0; vf < a->num_vfs; vf++)
		ping(a, vf, pending);
	retry_arm(a);
}

void mdd_mbx_task(struct os_work *w)
{
	struct mdd_adapter *a = (struct mdd_adapter *)((char *)w - offsetof(struct mdd_adapter, mbx_work));
	uint32_t mask = (1u << a->num_vfs) - 1, vflre, icr;
	uint64_t now = os__now_ns();

	if (!a->num_vfs || a->pdev->gone)
		return;
	vflre = rd32(a, E1000_VFLRE) & mask;
	if (vflre)
		wr32(a, E1000_VFLRE, vflre);
	icr = rd32(a, E1000_MBVFICR) & (mask | mask << E1000_MBVFICR_VFACK_SHIFT);
	if (icr)
		wr32(a, E1000_MBVFICR, icr);
	for (unsigned vf = 0; vf < a->num_vfs; vf++) {
		struct mdd_vf *v = &a->vf[vf];
		bool due = now >= v->retry_ns;

		if (vflre & 1u << vf) {
			mdd_vf_reset_event(a, vf); /* forgets the conversation too */
			due = true;
		}
		if (icr & 1u << vf)
			v->req_pending = true;
		/* A VF waiting for its retry is not tried again before its time. */
		if (v->req_pending && due)
			mdd_rcv_msg(a, vf);
		if (icr & 1u << (vf + E1000_MBVFICR_VFACK_SHIFT))
			mdd_rcv_ack(a, vf);
		if (v->ping_pending && due)
			ping(a, vf, 0);
	}
	retry_arm(a);
}

void mdd_mbx_retry(void *opaque)
{
	struct mdd_adapter *a = opaque;

	mdd_mbx_task(&a->mbx_work);
}
