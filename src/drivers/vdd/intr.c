/*
 * The VF's three MSI-X vectors (82576.md section 5): 0 for Tx queue 0, 1 for Rx queue 0, 2 for
 * the mailbox ("other"). EIAC and EIAM are set for all three, so a vector's cause clears and its
 * mask bit drops when its message goes out: a handler only schedules work, and the work writes
 * EIMS again when it is done, as NAPI re-enables an interrupt when a poll completes.
 */
#include <errno.h>

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
