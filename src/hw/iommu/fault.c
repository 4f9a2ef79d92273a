/*
 * Fault recording (iommu.md §5): CAP.NFR + 1 fault recording registers used as a ring. A fault is
 * written at the next slot unless that slot still holds a record software has not cleared (F set):
 * then FSTS.PFO is set and the fault is lost. Faults are the slow path, so a mutex is fine here.
 */
#include "hw/iommu/unit.h"

#include <errno.h>
#include <stdlib.h>

#include "lib/log.h"

int fault__init(struct fault_log *log, unsigned nr)
{
	log->rec = calloc(nr, sizeof(*log->rec));
	log->f = calloc(nr, sizeof(*log->f));
	if (!log->rec || !log->f) {
		free(log->rec);
		free(log->f);
		return -ENOMEM;
	}
	log->nr = nr;
	pthread_mutex_init(&log->lock, NULL);
	return 0;
}

void fault__fini(struct fault_log *log)
{
	pthread_mutex_destroy(&log->lock);
	free(log->rec);
	free(log->f);
}

void fault__record(struct iommu *iommu, uint16_t sid, uint64_t addr, uint8_t reason, bool write,
		   bool fpd)
{
	struct fault_log *log = &iommu->faults;
	void (*event)(void *);
	void *opaque;

	pthread_mutex_lock(&log->lock);
	__atomic_fetch_add(&log->faults, 1, __ATOMIC_RELAXED);
	if (fpd) {
		__atomic_fetch_add(&log->suppressed, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&log->lock);
		return;
	}
	if (log->f[log->next]) {
		log->pfo = 1;
		__atomic_fetch_add(&log->lost, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&log->lock);
		pr_debug("iommu", "fault lost (PFO): sid %04x reason %#x", sid, reason);
		return;
	}
	log->rec[log->next] =
	    (struct iommu_fault){.addr = addr, .sid = sid, .reason = reason, .write = write};
	log->f[log->next] = true;
	log->next = (log->next + 1) % log->nr;
	event = log->event;
	opaque = log->opaque;
	pthread_mutex_unlock(&log->lock);
	pr_debug("iommu", "fault: sid %04x addr %#llx reason %#x (%s) %s", sid,
		 (unsigned long long)addr, reason, iommu__fault_reason_str(reason),
		 write ? "write" : "read");
	if (event)
		event(opaque);
}

/* The oldest pending record is the first one with F set, counting from where the next one goes. */
static int oldest(const struct fault_log *log)
{
	for (unsigned i = 0; i < log->nr; i++) {
		unsigned idx = (log->next + i) % log->nr;

		if (log->f[idx])
			return (int)idx;
	}
	return -1;
}

uint32_t iommu__fault_status(struct iommu *iommu)
{
	struct fault_log *log = &iommu->faults;
	uint32_t fsts;
	int first;

	pthread_mutex_lock(&log->lock);
	first = oldest(log);
	fsts = log->pfo ? DMA_FSTS_PFO : 0;
	if (first >= 0)
		fsts |= DMA_FSTS_PPF | (uint32_t)first << DMA_FSTS_FRI_SHIFT;
	pthread_mutex_unlock(&log->lock);
	return fsts;
}

void iommu__fault_clear_status(struct iommu *iommu, uint32_t bits)
{
	pthread_mutex_lock(&iommu->faults.lock);
	if (bits & DMA_FSTS_PFO)
		iommu->faults.pfo = 0;
	pthread_mutex_unlock(&iommu->faults.lock);
}

int iommu__fault_read(struct iommu *iommu, unsigned index, struct iommu_fault *rec)
{
	struct fault_log *log = &iommu->faults;
	int err = 0;

	if (index >= log->nr)
		return -EINVAL;
	pthread_mutex_lock(&log->lock);
	if (log->f[index])
		*rec = log->rec[index];
	else
		err = -ENOENT;
	pthread_mutex_unlock(&log->lock);
	return err;
}

int iommu__fault_clear(struct iommu *iommu, unsigned index)
{
	if (index >= iommu->faults.nr)
		return -EINVAL;
	pthread_mutex_lock(&iommu->faults.lock);
	iommu->faults.f[index] = false;
	pthread_mutex_unlock(&iommu->faults.lock);
	return 0;
}

int iommu__fault_pop(struct iommu *iommu, struct iommu_fault *rec)
{
	struct fault_log *log = &iommu->faults;
	int first;

	pthread_mutex_lock(&log->lock);
	first = oldest(log);
	if (first >= 0) {
		*rec = log->rec[first];
		log->f[first] = false;
	}
	pthread_mutex_unlock(&log->lock);
	return first >= 0 ? 0 : -ENOENT;
}

void iommu__set_fault_event(struct iommu *iommu, void (*fn)(void *opaque), void *opaque)
{
	pthread_mutex_lock(&iommu->faults.lock);
	iommu->faults.event = fn;
	iommu->faults.opaque = opaque;
	pthread_mutex_unlock(&iommu->faults.lock);
}

const char *iommu__fault_reason_str(unsigned reason)
{
	static const char *const dma[] = {
	    [VTD_FR_ROOT_NOT_PRESENT] = "root entry not present",
	    [VTD_FR_CTX_NOT_PRESENT] = "context entry not present",
	    [VTD_FR_CTX_INVALID] = "invalid context entry",
	    [VTD_FR_ADDR_BEYOND_MGAW] = "address beyond domain width",
	    [VTD_FR_WRITE] = "write not permitted",
	    [VTD_FR_READ] = "read not permitted",
	    [VTD_FR_PTE_READ] = "page table unreadable",
	    [VTD_FR_ROOT_ADDR] = "root table address invalid",
	    [VTD_FR_CTP_INVALID] = "context table pointer invalid",
	    [VTD_FR_ROOT_RSVD] = "reserved bits in root entry",
	    [VTD_FR_CTX_RSVD] = "reserved bits in context entry",
	    [VTD_FR_PTE_RSVD] = "reserved bits in page-table entry",
	    [VTD_FR_TT_BLOCKED] = "translation request blocked",
	};
	static const char *const ir[] = {
	    [VTD_FR_IR_REQ_RSVD - 0x20] = "reserved bits in interrupt request",
	    [VTD_FR_IR_INDEX - 0x20] = "interrupt index beyond table",
	    [VTD_FR_IR_NOT_PRESENT - 0x20] = "IRTE not present",
	    [VTD_FR_IR_IRT_READ - 0x20] = "interrupt table unreadable",
	    [VTD_FR_IR_IRTE_RSVD - 0x20] = "reserved bits in IRTE",
	    [VTD_FR_IR_COMPAT - 0x20] = "compatibility interrupt blocked",
	    [VTD_FR_IR_SID - 0x20] = "interrupt source-id mismatch",
	};

	if (reason < ARRAY_SIZE(dma) && dma[reason])
		return dma[reason];
	if (reason >= 0x20 && reason - 0x20 < ARRAY_SIZE(ir))
		return ir[reason - 0x20];
	return "unknown";
}
