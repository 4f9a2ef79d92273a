/*
 * The VF's three MSI-X vectors (82576.md section 5): 0 for Tx queue 0, 1 for Rx queue 0, 2 for
 * the mailbox ("other"). EIAC and EIAM are set for all three, so a vector's cause clears and its
 * mask bit drops when its message goes out: a handler only schedules work, and the work writes
 * EIMS again when it is done, as NAPI re-enables an interrupt when a poll completes.
 */
#include <errno.h>
#include <stdlib.h>

#include "vfnet/irq.h"

#include "regs.h"
#include "vdd.h"

static void vdd_msix_tx(int vector, void *opaque)
{
	struct vdd *a = opaque;

	if (a->removing)
		return;
	a->nd.stats.interrupts++;
	os__schedule(&a->tx_work);
}

static void vdd_msix_rx(int vector, void *opaque)
{
	struct vdd *a = opaque;

	if (a->removing)
		return;
	a->nd.stats.interrupts++;
	os__schedule(&a->rx_work);
}

static void vdd_msix_other(int vector, void *opaque)
{
	struct vdd *a = opaque;

	if (a->removing)
		return;
	a->nd.stats.interrupts++;
	os__schedule(&a->mbx_work);
}

static const irq_handler_t vdd_handlers[VDD_NVEC] = {
    [VDD_VEC_TX] = vdd_msix_tx,
    [VDD_VEC_RX] = vdd_msix_rx,
    [VDD_VEC_MBX] = vdd_msix_other,
};

int vdd_intr_request(struct vdd *a)
{
	int err = 0;
	unsigned i;

	if (pci__msix_count(a->pdev) < VDD_NVEC)
		return -ENODEV; /* a VF has MSI-X only, and igbvf wants exactly three vectors */
	for (i = 0; i < VDD_NVEC; i++) {
		a->vector[i] = irq__request(vdd_handlers[i], a);
		if (a->vector[i] < 0) {
			err = a->vector[i];
			goto err_free;
		}
		err = pci__msix_set(a->pdev, i, a->vector[i]);
		if (err) {
			irq__free(a->vector[i]);
			goto err_free;
		}
	}
	err = pci__msix_enable(a->pdev, true);
	if (err)
		goto err_free;
	a->eims_enable_mask = (1u << VDD_NVEC) - 1;
	return 0;

err_free:
	while (i--) {
		pci__msix_mask(a->pdev, i, true);
		irq__free(a->vector[i]);
		a->vector[i] = -1;
	}
	return err;
}

void vdd_intr_free(struct vdd *a)
{
	pci__msix_enable(a->pdev, false);
	for (unsigned i = 0; i < VDD_NVEC; i++) {
		if (a->vector[i] < 0)
			continue;
		pci__msix_mask(a->pdev, i, true);
		irq__free(a->vector[i]);
		a->vector[i] = -1;
	}
}

/* EITR from interrupts per second: the interval field counts 0.25 us units in bits 14:2,
 * which makes it microseconds shifted left by 2 (igb: 196 for ~20 000/s). */
static uint32_t itr_reg(unsigned per_sec)
{
	uint32_t us = per_sec ? 1000000u / per_sec : 0;

	return ((us << 2) & E1000_EITR_INTERVAL) | E1000_EITR_CNT_IGNR;
}

int vdd_itr_parse(const char *s, enum vdd_itr_mode *mode, unsigned *rate)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v == 0 || v == 1 || v == 3) {
		*mode = v == 0 ? VDD_ITR_OFF : v == 1 ? VDD_ITR_ADAPTIVE : VDD_ITR_CONSERVATIVE;
		*rate = v == 0 ? 0 : VDD_DEFAULT_ITR;
		return 0;
	}
	if (v < 100 || v > 100000)
		return -EINVAL;
	*mode = VDD_ITR_FIXED;
	*rate = (unsigned)v;
	return 0;
}

/*
 * What one interrupt brought says what the traffic is: a few small frames are a conversation
 * that wants its replies soon, a ring's worth is a stream that wants fewer interrupts. Going
 * towards latency is at once (the next request should not wait); going towards fewer
 * interrupts is a quarter of the way per interrupt, so that a burst in a conversation does
 * not throttle it.
 */
unsigned vdd_itr_next(enum vdd_itr_mode mode, unsigned cur, unsigned pkts, unsigned bytes)
{
	unsigned target, next;

	if (mode != VDD_ITR_ADAPTIVE && mode != VDD_ITR_CONSERVATIVE)
		return cur;
	if (!pkts)
		return cur; /* a Tx completion or the watchdog's kick: nothing learned */
	if (pkts > 32 || bytes > 48000)
		target = VDD_ITR_BULK;
	else if (pkts > 4 || bytes > 6000)
		target = VDD_ITR_LOW;
	else
		target = mode == VDD_ITR_CONSERVATIVE ? VDD_ITR_LOW : VDD_ITR_LOWEST;
	if (!cur || target >= cur)
		return target;
	next = cur - (cur - target + 3) / 4;
	/* close enough: the last steps would only cost register writes */
	return next - target < target / 8 ? target : next;
}

void vdd_itr_update(struct vdd *a)
{
	unsigned next = vdd_itr_next(a->itr_mode, a->itr, a->itr_pkts, a->itr_bytes);

	a->itr_pkts = a->itr_bytes = 0;
	if (next == a->itr)
		return;
	a->itr = next;
	a->itr_changes++;
	ew32(a, E1000_EITR(VDD_VEC_RX), itr_reg(next));
	ew32(a, E1000_EITR(VDD_VEC_TX), itr_reg(next));
}

/* Routing, moderation and auto-clear/mask: all of it is lost on every CTRL.RST. */
void vdd_intr_configure(struct vdd *a)
{
	ew32(a, E1000_IVAR0,
	     (VDD_VEC_RX | E1000_IVAR_VALID) | (VDD_VEC_TX | E1000_IVAR_VALID) << 8);
	ew32(a, E1000_IVAR_MISC, VDD_VEC_MBX | E1000_IVAR_VALID);
	ew32(a, E1000_EITR(VDD_VEC_TX), itr_reg(a->itr));
	ew32(a, E1000_EITR(VDD_VEC_RX), itr_reg(a->itr));
	ew32(a, E1000_EITR(VDD_VEC_MBX), itr_reg(0)); /* the PF's words are not throttled */
	ew32(a, E1000_EIAC, a->eims_enable_mask);
	ew32(a, E1000_EIAM, a->eims_enable_mask);
	ew32(a, E1000_EIMS, 1u << VDD_VEC_MBX);
}

void vdd_intr_enable(struct vdd *a, uint32_t mask)
{
	ew32(a, E1000_EIMS, mask & a->eims_enable_mask);
}

void vdd_intr_disable(struct vdd *a, uint32_t mask)
{
	ew32(a, E1000_EIMC, mask);
}
