/* The remapping unit's lifecycle, capability and command registers, and counters. */
#include "hw/iommu/unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void iommu__default_config(struct iommu_config *cfg)
{
	*cfg = (struct iommu_config){
	    .fault_records = 8,
	    .iotlb_entries = 1024,
	    .sagaw = DMA_CAP_SAGAW_39 | DMA_CAP_SAGAW_48,
	    .superpage_1g = true,
	    .pass_through = true,
	    .posted = true,
	};
}

static bool config_valid(const struct iommu_config *cfg)
{
	unsigned n = cfg->iotlb_entries;

	return cfg->fault_records >= 1 && cfg->fault_records <= 256 && n && !(n & (n - 1)) &&
	       cfg->sagaw && !(cfg->sagaw & ~(DMA_CAP_SAGAW_39 | DMA_CAP_SAGAW_48));
}

/* CAP and ECAP as a VT-d driver would read them (iommu.md §2). The fault registers and the IOTLB
 * registers are not modelled as MMIO, so FRO and IRO stay 0. */
static void compute_caps(struct iommu *iommu)
{
	const struct iommu_config *cfg = &iommu->cfg;

	iommu->cap = (uint64_t)IOMMU_ND << DMA_CAP_ND_SHIFT |
		     (uint64_t)cfg->sagaw << DMA_CAP_SAGAW_SHIFT |
		     (uint64_t)(IOMMU_MGAW - 1) << DMA_CAP_MGAW_SHIFT | DMA_CAP_SLLPS_2M |
		     (cfg->superpage_1g ? DMA_CAP_SLLPS_1G : 0) | DMA_CAP_PSI |
		     (uint64_t)(cfg->fault_records - 1) << DMA_CAP_NFR_SHIFT |
		     (uint64_t)IOMMU_MAMV << DMA_CAP_MAMV_SHIFT | (cfg->posted ? DMA_CAP_PI : 0);
	iommu->ecap = DMA_ECAP_IR | DMA_ECAP_EIM | (cfg->pass_through ? DMA_ECAP_PT : 0);
}

int iommu__create(struct iommu **out, struct machine_mem *mem, const struct iommu_config *cfg)
{
	struct iommu_config def;
	struct iommu *iommu;
	int err;

	if (!cfg) {
		iommu__default_config(&def);
		cfg = &def;
	}
	if (!config_valid(cfg))
		return -EINVAL;
	iommu = aligned_alloc(64, ALIGN_UP(sizeof(*iommu), 64));
	if (!iommu)
		return -ENOMEM;
	memset(iommu, 0, sizeof(*iommu));
	iommu->mem = mem;
	iommu->cfg = *cfg;
	compute_caps(iommu);
	err = iotlb__init(iommu, cfg->iotlb_entries);
	if (err)
		goto err_free;
	err = fault__init(&iommu->faults, cfg->fault_records);
	if (err)
		goto err_iotlb;
	*out = iommu;
	return 0;

err_iotlb:
	iotlb__fini(iommu);
err_free:
	free(iommu);
	return err;
}

void iommu__destroy(struct iommu *iommu)
{
	if (!iommu)
		return;
	fault__fini(&iommu->faults);
	iotlb__fini(iommu);
	free(iommu);
}

uint64_t iommu__cap(const struct iommu *iommu)
{
	return iommu->cap;
}

uint64_t iommu__ecap(const struct iommu *iommu)
{
	return iommu->ecap;
}

unsigned iommu__nr_domains(const struct iommu *iommu)
{
	return 1u << (4 + 2 * ((iommu->cap >> DMA_CAP_ND_SHIFT) & 7));
}

void iommu__set_root_table(struct iommu *iommu, uint64_t rtaddr)
{
	__atomic_store_n(&iommu->rtaddr, rtaddr & VTD_ROOT_CTP_MASK, __ATOMIC_RELEASE);
}

void iommu__enable_translation(struct iommu *iommu, bool enable)
{
	__atomic_store_n(&iommu->te, enable, __ATOMIC_RELEASE);
}

void iommu__set_irta(struct iommu *iommu, uint64_t irta)
{
	__atomic_store_n(&iommu->irta, irta & (IRTA_ADDR_MASK | IRTA_EIME | IRTA_S_MASK),
			 __ATOMIC_RELEASE);
}

void iommu__enable_ir(struct iommu *iommu, bool enable, bool compat_allowed)
{
	__atomic_store_n(&iommu->cfi, compat_allowed, __ATOMIC_RELEASE);
	__atomic_store_n(&iommu->ire, enable, __ATOMIC_RELEASE);
}

/* Each thread gets its own shard of counters, so that counting costs no atomic RMW. */
static unsigned next_shard;
__thread unsigned iommu_stat_shard = ~0u;

unsigned iommu__pick_shard(void)
{
	iommu_stat_shard = __atomic_fetch_add(&next_shard, 1, __ATOMIC_RELAXED) % IOMMU_STAT_SHARDS;
	return iommu_stat_shard;
}

void iommu__stats(const struct iommu *iommu, struct iommu_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < IOMMU_STAT_SHARDS; i++) {
		const struct iommu_shard *s = &iommu->shards[i];

		st->translations += READ_ONCE(s->translations);
		st->iotlb_hits += READ_ONCE(s->iotlb_hits);
		st->iotlb_misses += READ_ONCE(s->iotlb_misses);
		st->context_hits += READ_ONCE(s->context_hits);
		st->context_misses += READ_ONCE(s->context_misses);
		st->aborts += READ_ONCE(s->aborts);
		st->interrupts += READ_ONCE(s->interrupts);
	}
	st->faults = __atomic_load_n(&iommu->faults.faults, __ATOMIC_RELAXED);
	st->faults_suppressed = __atomic_load_n(&iommu->faults.suppressed, __ATOMIC_RELAXED);
	st->faults_lost = __atomic_load_n(&iommu->faults.lost, __ATOMIC_RELAXED);
}
