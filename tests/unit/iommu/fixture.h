/*
 * A small machine for the IOMMU tests: a hypervisor page pool, two guest RAM regions, one unit
 * with its root table, and two DMA domains (A and B) with a requester each.
 */
#ifndef VFNET_TEST_IOMMU_FIXTURE_H
#define VFNET_TEST_IOMMU_FIXTURE_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hw/iommu/context.h"
#include "hw/iommu/iommu.h"
#include "hw/iommu/pgtable.h"
#include "hw/mem/pool.h"

#define POOL_BASE 0x00100000ull
#define POOL_SIZE (4ull << 20)
#define RAM_A	  0x40000000ull
#define RAM_B	  0x80000000ull
#define RAM_SIZE  (8ull << 20)
#define DID_A	  1
#define DID_B	  2
#define RID_A	  0x0110 /* 01:02.0 */
#define RID_B	  0x0180 /* 01:10.0 */
#define RID_NONE  0x0190 /* 01:12.0: its bus has a context table, it has no context */
#define RID_NOBUS 0x0200 /* 02:00.0: its bus has no context table */
#define PAGE	  4096ull
#define MB2	  (2ull << 20)

struct fixture {
	struct machine_mem mem;
	struct mem_pool pool;
	struct iommu *iommu;
	struct context_tables ct;
	struct dma_domain a, b;
	uint8_t *ram_a, *ram_b; /* host view of the two RAM regions */
};

/* cmocka setups: the machine with the default unit, or with @cfg. A and B are attached to RID_A
 * and RID_B with empty page tables; RID_NONE is blocked (recording faults). */
int fixture__setup(void **state);
int fixture__setup_with(void **state, const struct iommu_config *cfg);
int fixture__teardown(void **state);

/* Pops the oldest fault record and checks it. */
void fixture__expect_fault(struct fixture *f, uint16_t rid, uint64_t addr, uint8_t reason,
			   bool write);
void fixture__expect_no_fault(struct fixture *f);

/* Translates one byte and returns its host address, or NULL on any error. */
uint8_t *fixture__host(struct fixture *f, uint16_t rid, uint64_t iova, unsigned access);

#endif
