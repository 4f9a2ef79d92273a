/*
 * PF side of the 82576 mailbox (mailbox.md sections 2-7): the buffer lock, read and write, and
 * the mailbox task run after ICR.VMMB. Per VF, in igb's order: reset event (VFLRE), request
 * (MBVFICR.VFREQ), acknowledgement (MBVFICR.VFACK). A VF that has not completed VF_RESET gets
 * NACK, at most once every 2 s.
 */
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include "mdd.h"

#define MDD_MBX_LOCK_TRIES 11 /* 1 + 10 retries, 1 ms apart (current igb) */

static int mbx_lock(struct mdd_adapter *a, unsigned vf)
{
	for (unsigned i = 0; i < MDD_MBX_LOCK_TRIES; i++) {
		/* PFU is a level that only takes while the VF does not hold VFU: read it back. */
		wr32(a, E1000_P2VMAILBOX(vf), E1000_P2VMAILBOX_PFU);
		if (rd32(a, E1000_P2VMAILBOX(vf)) & E1000_P2VMAILBOX_PFU)
			return 0;
		if (a->pdev->gone)
			return -ENODEV;
		usleep(1000);
	}
	return -EBUSY;
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

int mdd_mbx_write(struct mdd_adapter *a, unsigned vf, const uint32_t *msg, unsigned len)
{
	int err = mbx_lock(a, vf);

	if (err) {
		os__log(MDD_TAG, "%s: VF %u mailbox busy, message 0x%08x not sent", a->netdev.name,
			vf, msg[0]);
		return err;
	}
	/* A stale VF acknowledgement belongs to an earlier message: drop it. */
	wr32(a, E1000_MBVFICR, 1u << (vf + E1000_MBVFICR_VFACK_SHIFT));
	for (unsigned i = 0; i < len; i++)
		pci__writel_post(a->hw, E1000_VMBMEM(vf) + 4 * i, msg[i]);
	/* STS without PFU: signals the VF and releases the buffer */
	wr32(a, E1000_P2VMAILBOX(vf), E1000_P2VMAILBOX_STS);
	return 0;
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

	err = mdd_mbx_read(a, vf, msg, E1000_VFMAILBOX_SIZE);
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
		mdd_mbx_write(a, vf, msg, 1);
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

	if (!v->cts && nack_due(v, os__now_ns()))
		mdd_mbx_write(a, vf, &nack, 1);
}

void mdd_mbx_task(struct os_work *w)
{
	struct mdd_adapter *a = (struct mdd_adapter *)((char *)w - offsetof(struct mdd_adapter, mbx_work));
	uint32_t mask = (1u << a->num_vfs) - 1, vflre, icr;

	if (!a->num_vfs || a->pdev->gone)
		return;
	vflre = rd32(a, E1000_VFLRE) & mask;
	if (vflre)
		wr32(a, E1000_VFLRE, vflre);
	icr = rd32(a, E1000_MBVFICR) & (mask | mask << E1000_MBVFICR_VFACK_SHIFT);
	if (icr)
		wr32(a, E1000_MBVFICR, icr);
	for (unsigned vf = 0; vf < a->num_vfs; vf++) {
		if (vflre & 1u << vf)
			mdd_vf_reset_event(a, vf);
		if (icr & 1u << vf)
			mdd_rcv_msg(a, vf);
		if (icr & 1u << (vf + E1000_MBVFICR_VFACK_SHIFT))
			mdd_rcv_ack(a, vf);
	}
}

/*
 * PF_CONTROL_MSG to every VF (link change, PF reset), with CTS only for a VF that may run. A VF
 * whose request is still unread is skipped: the ping would overwrite it, and the reply it will
 * get carries the same CTS.
 */
void mdd_ping_all_vfs(struct mdd_adapter *a)
{
	uint32_t pending;

	if (!a->num_vfs || a->pdev->gone)
		return;
	pending = rd32(a, E1000_MBVFICR) & E1000_MBVFICR_VFREQ_MASK;
	for (unsigned vf = 0; vf < a->num_vfs; vf++) {
		uint32_t ping = E1000_PF_CONTROL_MSG | mdd_cts(a, vf);

		if (!(pending & 1u << vf))
			mdd_mbx_write(a, vf, &ping, 1);
	}
}
