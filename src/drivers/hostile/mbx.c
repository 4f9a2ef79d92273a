/*
 * The mailbox as igbvf speaks it (mailbox.md section 3), kept short: the floods are meant to be
 * legal requests, only too many of them, so each one follows the protocol and waits for its reply.
 */
#include <errno.h>

#include "hostile.h"

static uint32_t v2p(struct hostile *h)
{
	uint32_t r = pci__readl(h->hw, E1000_V2PMAILBOX);

	if (r == 0xffffffffu)
		return 0;
	h->v2p_cache |= r & E1000_V2PMAILBOX_R2C_BITS;
	return r | h->v2p_cache;
}

static bool take_bit(struct hostile *h, uint32_t bit)
{
	bool seen = v2p(h) & bit;

	h->v2p_cache &= ~bit;
	return seen;
}

static int lock(struct hostile *h, uint64_t deadline)
{
	do {
		pci__writel(h->hw, E1000_V2PMAILBOX, E1000_V2PMAILBOX_VFU);
		if (v2p(h) & E1000_V2PMAILBOX_VFU)
			return 0;
	} while (os__now_ns() < deadline && !h->pdev->gone);
	return -ETIMEDOUT;
}

static int wait_bit(struct hostile *h, uint32_t bit, uint64_t deadline)
{
	while (!take_bit(h, bit))
		if (os__now_ns() >= deadline || h->pdev->gone)
			return -ETIMEDOUT;
	return 0;
}

/* Post @msg (@len words), read @rlen words of reply into it: 0 ACK, -EPERM NACK, -ETIMEDOUT. */
int hostile_mbx_request(struct hostile *h, uint32_t *msg, unsigned len, unsigned rlen)
{
	uint64_t deadline = os__now_ns() + HOSTILE_MBX_TIMEOUT_NS;
	uint32_t type = msg[0] & 0xffff;
	int err;

	if ((err = lock(h, deadline)))
		return err;
	take_bit(h, E1000_V2PMAILBOX_PFACK);
	take_bit(h, E1000_V2PMAILBOX_PFSTS);
	for (unsigned i = 0; i < len; i++)
		pci__writel(h->hw, E1000_VMBMEM(i), msg[i]);
	pci__writel(h->hw, E1000_V2PMAILBOX, E1000_V2PMAILBOX_REQ);
	if ((err = wait_bit(h, E1000_V2PMAILBOX_PFACK, deadline)))
		return err;
	for (;;) {
		if ((err = wait_bit(h, E1000_V2PMAILBOX_PFSTS, deadline)) ||
		    (err = lock(h, deadline)))
			return err;
		for (unsigned i = 0; i < rlen; i++)
			msg[i] = pci__readl(h->hw, E1000_VMBMEM(i));
		pci__writel(h->hw, E1000_V2PMAILBOX, E1000_V2PMAILBOX_ACK);
		if ((msg[0] & 0xffff) == type)
			break; /* else a PF control message came first: wait for the reply */
	}
	if (msg[0] & HOSTILE_MSG_ACK)
		return 0;
	return msg[0] & HOSTILE_MSG_NACK ? -EPERM : -EIO;
}

/* The reset handshake: the PF forgets our filters and answers with our MAC. */
int hostile_mbx_reset(struct hostile *h, uint8_t mac[6])
{
	uint32_t msg[3] = {HOSTILE_VF_RESET};
	uint64_t deadline;
	int err;

	pci__writel(h->hw, E1000_CTRL, E1000_CTRL_RST);
	deadline = os__now_ns() + HOSTILE_MBX_TIMEOUT_NS;
	while (take_bit(h, E1000_V2PMAILBOX_RSTD | E1000_V2PMAILBOX_RSTI))
		if (os__now_ns() >= deadline)
			return -EAGAIN;
	err = hostile_mbx_request(h, msg, 1, 3);
	if (err && err != -EPERM)
		return err;
	for (unsigned i = 0; i < 4; i++)
		mac[i] = (uint8_t)(msg[1] >> (8 * i));
	mac[4] = (uint8_t)msg[2];
	mac[5] = (uint8_t)(msg[2] >> 8);
	return 0;
}
