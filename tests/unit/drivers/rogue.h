/*
 * What the driver tests share: running code as dom0 or a guest, enabling and opening VFs, and a
 * rogue VF driver that speaks the mailbox by hand through the VF's BAR0 (for behaviour vdd's
 * script never shows: no VF_RESET first, floods, a held lock).
 */
#ifndef VFNET_TEST_DRIVERS_ROGUE_H
#define VFNET_TEST_DRIVERS_ROGUE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "hw/machine.h"
#include "mdd.h"

/* The VF's view of its mailbox (vdd's regs.h; mdd's has the PF's). */
#define VF_V2PMAILBOX 0x0C40
#define VF_VMBMEM(i)  (0x0800 + 4 * (i))
#define VF_MBX_REQ    0x01
#define VF_MBX_ACK    0x02
#define VF_MBX_VFU    0x04
#define VF_MBX_PFSTS  0x10
#define VF_MBX_PFACK  0x20
#define VF_RAR	      (E1000_RAR_ENTRIES - 1) /* VF 0's own MAC filter */
#define MS	      1000000ull

static inline struct mdd_adapter *pf(void)
{
	return h.pf->drvdata;
}

/* Run @stmt as dom0's code. */
#define DOM0(stmt)                                                                                 \
	do {                                                                                       \
		unsigned prev_ = harness__enter(HARNESS_DOM0);                                     \
		stmt;                                                                              \
		harness__enter(prev_);                                                             \
	} while (0)

/* Run @stmt as guest @dom's code. */
#define GUEST(dom, stmt)                                                                           \
	do {                                                                                       \
		unsigned prev_ = harness__enter(dom);                                              \
		stmt;                                                                              \
		harness__enter(prev_);                                                             \
	} while (0)

static inline uint32_t rar_lo(const uint8_t *m)
{
	return m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24;
}

static inline void assert_rar(unsigned idx, const uint8_t *mac, unsigned pool)
{
	uint32_t rah = harness__pf_rd32(E1000_RAH(idx));

	assert_int_equal(harness__pf_rd32(E1000_RAL(idx)), rar_lo(mac));
	assert_int_equal(rah & 0xffff, (uint32_t)(mac[4] | mac[5] << 8));
	assert_true(rah & E1000_RAH_AV);
	assert_int_equal(rah & E1000_RAH_POOL_MASK, 1u << (E1000_RAH_POOL_SHIFT + pool));
}

static inline bool carrier_is(struct netdev *nd, bool up)
{
	return nd && nd->carrier == up;
}

static inline bool carrier_up(void *arg)
{
	return carrier_is(arg, true);
}

/* Enable @n VFs and bind vdd to VF i in guest i + 1; open each. */
static inline void vfs_up(unsigned n, unsigned nbind, bool open)
{
	assert_int_equal(harness__sriov((int)n), (int)n);
	for (unsigned i = 0; i < nbind; i++) {
		assert_int_equal(harness__bind_vf(i, i + 1), 0);
		if (open) {
			struct netdev *nd = harness__vf_netdev(i);

			GUEST(i + 1, assert_int_equal(netdev__open(nd), 0));
			assert_true(harness__run_until(carrier_up, nd, 100 * MS));
		}
	}
}

/* ---- a rogue VF driver: the mailbox by hand ---- */

static inline struct pci_func *vf_fn(unsigned vf)
{
	return &h.m->nicfn->vf[0][vf];
}

static inline uint32_t vf_rd(unsigned vf, uint32_t off)
{
	return e82576__rd32(h.m->nic, vf_fn(vf), off);
}

static inline void vf_wr(unsigned vf, uint32_t off, uint32_t val)
{
	e82576__wr32(h.m->nic, vf_fn(vf), off, val);
}

static uint32_t raw_v2p;

static inline bool raw_reply_seen(void *arg)
{
	raw_v2p |= vf_rd(*(unsigned *)arg, VF_V2PMAILBOX);
	return raw_v2p & VF_MBX_PFSTS;
}

/*
 * Post @msg (@len words) from VF @vf and wait (100 ms of dom0 time) for a reply; read @rlen
 * words of it into @reply. Returns false when the PF did not answer.
 */
static inline bool raw_request(unsigned vf, const uint32_t *msg, unsigned len, uint32_t *reply,
			       unsigned rlen)
{
	memset(reply, 0, rlen * sizeof(*reply));
	vf_wr(vf, VF_V2PMAILBOX, VF_MBX_VFU);
	assert_true(vf_rd(vf, VF_V2PMAILBOX) & VF_MBX_VFU);
	for (unsigned i = 0; i < len; i++)
		vf_wr(vf, VF_VMBMEM(i), msg[i]);
	vf_wr(vf, VF_V2PMAILBOX, VF_MBX_REQ);
	raw_v2p = 0;
	if (!harness__run_until(raw_reply_seen, &vf, 100 * MS))
		return false;
	vf_wr(vf, VF_V2PMAILBOX, VF_MBX_VFU);
	for (unsigned i = 0; i < rlen; i++)
		reply[i] = vf_rd(vf, VF_VMBMEM(i));
	vf_wr(vf, VF_V2PMAILBOX, VF_MBX_ACK);
	harness__advance(MS); /* let dom0 see our ACK */
	return true;
}

/* igbvf's handshake, by hand: CTRL.RST, then VF_RESET. */
static inline void raw_reset(unsigned vf)
{
	uint32_t msg = E1000_VF_RESET, reply[3];

	vf_wr(vf, E1000_CTRL, E1000_CTRL_RST);
	(void)vf_rd(vf, VF_V2PMAILBOX); /* consume RSTD */
	assert_true(raw_request(vf, &msg, 1, reply, 3));
	assert_int_equal(reply[0] & 0xffff, E1000_VF_RESET);
}

#endif
