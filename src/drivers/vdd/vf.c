/*
 * The VF's conversation with the PF (mailbox.md sections 5, 7 and 8): the reset handshake, the
 * requests a netdev operation turns into, and the link rule (STATUS.LU and the PF's clear to
 * send). Every PF word is remembered for its CTS bit: a reply without CTS means the PF forgot the
 * VF (its reset, an FLR), and only a new handshake brings the VF back.
 */
#include <errno.h>
#include <string.h>

#include "regs.h"
#include "vdd.h"

static void put_mac(uint32_t *msg, const uint8_t mac[ETH_ALEN])
{
	/* bytes 4-9 of the little-endian message buffer */
	msg[1] = (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 |
		 (uint32_t)mac[3] << 24;
	msg[2] = (uint32_t)mac[4] | (uint32_t)mac[5] << 8;
}

static void get_mac(const uint32_t *msg, uint8_t mac[ETH_ALEN])
{
	for (unsigned i = 0; i < 4; i++)
		mac[i] = (uint8_t)(msg[1] >> (8 * i));
	mac[4] = (uint8_t)msg[2];
	mac[5] = (uint8_t)(msg[2] >> 8);
}

/* A PF_CONTROL_MSG: sent on link changes and when the PF resets, with CTS only if the PF still
 * counts this VF as clear to send. */
static void control_msg(struct vdd *a, uint32_t word)
{
	a->cts = word & E1000_VT_MSGTYPE_CTS;
	if (!a->cts)
		vdd_schedule_reset(a);
}

/*
 * Post @msg (@len words) and read @rlen words of reply into @msg. 0 on ACK, -EPERM on NACK,
 * -ETIMEDOUT (a reset follows), -EIO for a reply to something else.
 */
static int request(struct vdd *a, uint32_t *msg, unsigned len, unsigned rlen)
{
	uint32_t type = msg[0] & 0xFFFF;
	int err = vdd_mbx_write_posted(a, msg, len);

	if (!err)
		err = vdd_mbx_read_posted(a, msg, rlen);
	if (!err && (msg[0] & 0xFFFF) == E1000_PF_CONTROL_MSG) {
		/* the PF spoke first: take its word, then wait for the reply */
		control_msg(a, msg[0]);
		err = vdd_mbx_read_posted(a, msg, rlen);
	}
	if (err == -ETIMEDOUT)
		vdd_schedule_reset(a);
	if (err)
		return err;
	if ((msg[0] & 0xFFFF) != type)
		return -EIO;
	if (type != E1000_VF_RESET) {
		a->cts = msg[0] & E1000_VT_MSGTYPE_CTS;
		if (!a->cts)
			vdd_schedule_reset(a); /* the PF has forgotten us */
	}
	if (msg[0] & E1000_VT_MSGTYPE_ACK)
		return 0;
	return msg[0] & E1000_VT_MSGTYPE_NACK ? -EPERM : -EIO;
}

int vdd_vf_reset_hw(struct vdd *a)
{
	uint64_t deadline;
	uint32_t msg[3] = {E1000_VF_RESET};
	int err;

	a->cts = false;
	ew32(a, E1000_CTRL, E1000_CTRL_RST);
	/* No reset while RSTI (PF in reset) or a fresh RSTD is signalled; a pending RSTD is
	 * consumed by the first read. */
	deadline = os__now_ns() + VDD_RST_TIMEOUT_NS;
	while ((err = vdd_mbx_check_for_rst(a)) == 0) {
		if (os__now_ns() >= deadline)
			return -EAGAIN;
	}
	if (err != -EBUSY)
		return err;
	a->mbx.timed_out = false;
	err = request(a, msg, 1, 3);
	if (err == -EPERM) {
		memset(a->perm_addr, 0, ETH_ALEN); /* the PF has no MAC for us */
		return 0;
	}
	if (err)
		return err;
	get_mac(msg, a->perm_addr);
	return 0;
}

int vdd_vf_set_mac(struct vdd *a, const uint8_t mac[ETH_ALEN])
{
	uint32_t msg[3] = {E1000_VF_SET_MAC_ADDR};

	put_mac(msg, mac);
	return request(a, msg, 3, 3);
}

/* The 12-bit MTA index of filter type 0 (82576.md section 4, MTA). */
static uint16_t mta_hash(const uint8_t mac[ETH_ALEN])
{
	return (uint16_t)((mac[4] >> 4 | mac[5] << 4) & 0xFFF);
}

int vdd_vf_set_multicast(struct vdd *a, const uint8_t (*mc)[ETH_ALEN], unsigned nmc)
{
	uint32_t msg[E1000_VFMAILBOX_SIZE] = {0};

	if (nmc > E1000_VF_MAX_MC)
		nmc = E1000_VF_MAX_MC;
	msg[0] = E1000_VF_SET_MULTICAST | nmc << E1000_VT_MSGINFO_SHIFT;
	/* 16-bit hashes packed from byte 4 of the little-endian buffer */
	for (unsigned i = 0; i < nmc; i++)
		msg[1 + i / 2] |= (uint32_t)mta_hash(mc[i]) << (16 * (i & 1));
	return request(a, msg, E1000_VFMAILBOX_SIZE, 1);
}

int vdd_vf_set_promisc(struct vdd *a, uint32_t flags)
{
	uint32_t msg[1] = {E1000_VF_SET_PROMISC | flags};

	return request(a, msg, 1, 1);
}

int vdd_vf_set_vlan(struct vdd *a, uint16_t vid, bool add)
{
	uint32_t msg[2] = {E1000_VF_SET_VLAN | (add ? E1000_VF_SET_VLAN_ADD : 0), vid};

	return request(a, msg, 2, 2);
}

int vdd_vf_set_lpe(struct vdd *a, unsigned max_frame)
{
	uint32_t msg[2] = {E1000_VF_SET_LPE, max_frame};

	return request(a, msg, 2, 1);
}

/*
 * Link is up only with STATUS.LU and the PF's CTS (mailbox.md section 8). A reset indication in
 * the mailbox or a timed-out mailbox is an error: the caller resets the VF.
 */
int vdd_vf_check_link(struct vdd *a, bool *up, unsigned *speed)
{
	uint32_t status = er32(a, E1000_STATUS);

	*up = false;
	*speed = 0;
	if (vdd_gone(a, status))
		return -ENODEV;
	if (vdd_mbx_check_for_rst(a) == 0)
		return -ECONNRESET;
	if (a->mbx.timed_out)
		return -ETIMEDOUT;
	if (!(status & E1000_STATUS_LU) || !a->cts)
		return 0;
	*up = true;
	switch (status & E1000_STATUS_SPEED_MASK) {
	case E1000_STATUS_SPEED_1000:
		*speed = 1000;
		break;
	case E1000_STATUS_SPEED_100:
		*speed = 100;
		break;
	default:
		*speed = 10;
	}
	return 0;
}

/* The mailbox vector fired: a PF message, an ACK we are not waiting for, or a PF reset. */
void vdd_vf_handle_mbx(struct vdd *a)
{
	uint32_t word;

	if (vdd_mbx_check_for_rst(a) == 0) {
		a->cts = false;
		vdd_schedule_reset(a);
		return;
	}
	if (vdd_mbx_check_for_msg(a) || vdd_mbx_read(a, &word, 1))
		return;
	if ((word & 0xFFFF) == E1000_PF_CONTROL_MSG)
		control_msg(a, word);
	else if ((word & E1000_VT_MSGTYPE_NACK) && !(word & E1000_VT_MSGTYPE_CTS))
		control_msg(a, word); /* a lone NACK: CTS is lost */
}
