/*
 * The VF side of the 82576 mailbox (mailbox.md sections 2-3): a VFU lock taken by writing it and
 * reading it back, REQ to post a message, ACK to say the PF's message was read. PFSTS, PFACK and
 * RSTD clear when V2PMAILBOX is read, so every read keeps them in a software copy and a bit is
 * dropped from the copy only when it is tested.
 *
 * Every wait is a deadline on os__now_ns, and a read of all ones (a device that is gone) ends it
 * at once. A posted operation that times out marks the mailbox timed out, as igbvf's timeout of
 * 0 does: posted operations then fail until the next reset handshake clears the mark.
 */
#include <errno.h>

#include "regs.h"
#include "vdd.h"

static int read_v2p(struct vdd *a, uint32_t *v)
{
	uint32_t r = er32(a, E1000_V2PMAILBOX);

	if (vdd_gone(a, r))
		return -ENODEV;
	a->mbx.v2p_cache |= r & E1000_V2PMAILBOX_R2C_BITS;
	*v = r | a->mbx.v2p_cache;
	return 0;
}

/* 0 if @mask is seen (and then consumed from the copy), -EBUSY if not, -ENODEV if gone. */
static int check_for_bit(struct vdd *a, uint32_t mask)
{
	uint32_t v;
	int err = read_v2p(a, &v);

	if (err)
		return err;
	a->mbx.v2p_cache &= ~mask;
	return v & mask ? 0 : -EBUSY;
}

int vdd_mbx_check_for_msg(struct vdd *a)
{
	return check_for_bit(a, E1000_V2PMAILBOX_PFSTS);
}

int vdd_mbx_check_for_ack(struct vdd *a)
{
	return check_for_bit(a, E1000_V2PMAILBOX_PFACK);
}

int vdd_mbx_check_for_rst(struct vdd *a)
{
	return check_for_bit(a, E1000_V2PMAILBOX_RSTD | E1000_V2PMAILBOX_RSTI);
}

/* One try at the lock: VFU takes only while the PF does not hold the buffer. */
static int obtain_lock(struct vdd *a)
{
	uint32_t v;
	int err;

	ew32(a, E1000_V2PMAILBOX, E1000_V2PMAILBOX_VFU);
	err = read_v2p(a, &v);
	if (err)
		return err;
	return v & E1000_V2PMAILBOX_VFU ? 0 : -EBUSY;
}

/* Try the lock until @deadline; the PF holds it only while it handles a message. */
static int lock_until(struct vdd *a, uint64_t deadline)
{
	int err;

	while ((err = obtain_lock(a)) == -EBUSY && os__now_ns() < deadline)
		;
	return err;
}

static int write_locked(struct vdd *a, const uint32_t *msg, unsigned len, uint64_t deadline)
{
	int err;

	if (len > E1000_VFMAILBOX_SIZE)
		return -EINVAL;
	err = lock_until(a, deadline);
	if (err)
		return err;
	/* A stale ACK or message must not be taken for the answer to this one. */
	vdd_mbx_check_for_ack(a);
	vdd_mbx_check_for_msg(a);
	for (unsigned i = 0; i < len; i++)
		ew32(a, E1000_VMBMEM(i), msg[i]);
	/* REQ without VFU: tells the PF and drops the lock in one write. */
	ew32(a, E1000_V2PMAILBOX, E1000_V2PMAILBOX_REQ);
	return 0;
}

static int read_locked(struct vdd *a, uint32_t *msg, unsigned len, uint64_t deadline)
{
	int err;

	if (len > E1000_VFMAILBOX_SIZE)
		return -EINVAL;
	err = lock_until(a, deadline);
	if (err)
		return err;
	for (unsigned i = 0; i < len; i++)
		msg[i] = er32(a, E1000_VMBMEM(i));
	/* ACK without VFU: the message is consumed and the lock is dropped. */
	ew32(a, E1000_V2PMAILBOX, E1000_V2PMAILBOX_ACK);
	return 0;
}

int vdd_mbx_write(struct vdd *a, const uint32_t *msg, unsigned len)
{
	return write_locked(a, msg, len, os__now_ns());
}

int vdd_mbx_read(struct vdd *a, uint32_t *msg, unsigned len)
{
	return read_locked(a, msg, len, os__now_ns());
}

/* Poll @check until it succeeds, the device goes, or @deadline passes. */
static int poll_until(struct vdd *a, int (*check)(struct vdd *), uint64_t deadline)
{
	int err;

	for (;;) {
		err = check(a);
		if (err != -EBUSY)
			return err;
		if (os__now_ns() >= deadline) {
			a->mbx.timed_out = true;
			return -ETIMEDOUT;
		}
	}
}

int vdd_mbx_write_posted(struct vdd *a, const uint32_t *msg, unsigned len)
{
	uint64_t deadline = os__now_ns() + VDD_MBX_TIMEOUT_NS;
	int err;

	if (a->mbx.timed_out)
		return -ETIMEDOUT;
	err = write_locked(a, msg, len, deadline);
	if (err == -EBUSY) {
		a->mbx.timed_out = true;
		return -ETIMEDOUT;
	}
	if (err)
		return err;
	return poll_until(a, vdd_mbx_check_for_ack, deadline);
}

int vdd_mbx_read_posted(struct vdd *a, uint32_t *msg, unsigned len)
{
	uint64_t deadline = os__now_ns() + VDD_MBX_TIMEOUT_NS;
	int err;

	if (a->mbx.timed_out)
		return -ETIMEDOUT;
	err = poll_until(a, vdd_mbx_check_for_msg, deadline);
	if (err)
		return err;
	err = read_locked(a, msg, len, deadline);
	if (err == -EBUSY) {
		a->mbx.timed_out = true;
		return -ETIMEDOUT;
	}
	return err;
}
