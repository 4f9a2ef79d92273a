/*
 * The posted-interrupt descriptor (iommu.md §8): 64 bytes in machine memory, one per destination
 * (in vfnet, per guest vCPU). The remapping unit posts into it; the destination takes the pending
 * vectors. Both sides use atomics only, so they may run on different threads or processes.
 */
#ifndef VFNET_HW_IOMMU_POSTED_H
#define VFNET_HW_IOMMU_POSTED_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/iommu/vtd.h"

struct pi_desc {
	uint64_t pir[4];  /* bits 255:0, one pending bit per vector */
	uint64_t control; /* ON, SN, NV, NDST (PI_CTRL_*) */
	uint64_t rsvd[3];
} __attribute__((aligned(PI_DESC_SIZE)));

_Static_assert(sizeof(struct pi_desc) == PI_DESC_SIZE, "posted-interrupt descriptor is 64 bytes");

/* Clears the descriptor and sets the notification vector NV and destination NDST. */
void pi_desc__init(struct pi_desc *pd, uint8_t nv, uint32_t ndst);

/* SN: suppress notifications for non-urgent interrupts (a descheduled vCPU). */
void pi_desc__suppress(struct pi_desc *pd, bool sn);

/*
 * Posts @vector: sets its PIR bit, then, if ON was clear and (SN is clear or @urgent), sets ON and
 * returns true: the caller sends the one notification. Otherwise the vector coalesces with what is
 * already outstanding and false is returned.
 */
bool pi_desc__post(struct pi_desc *pd, uint8_t vector, bool urgent);

/*
 * The destination's side: clears ON, then takes (exchanges with zero) the PIR into @pending.
 * ON is cleared first so that a vector posted after the take notifies again. Returns true when
 * any vector was pending.
 */
bool pi_desc__take(struct pi_desc *pd, uint64_t pending[4]);

#endif
