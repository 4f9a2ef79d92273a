/*
 * The hardware's table walk (iommu.md §3-4): root table by bus, context table by devfn, then the
 * second-level page table from SLPTPTR, 9 address bits per level. Tables are read from machine
 * memory with atomic loads because software may rewrite them while a device translates.
 */
#include "hw/iommu/unit.h"

static uint64_t load_qword(const uint64_t *p)
{
	/* Acquire: a table that software has just linked in must be seen with its contents. */
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Checks the fields of a present context entry that the unit supports (VT-d "invalid context
 * entry programming", 0x3): TT 1 needs a device-IOTLB and TT 3 is reserved; TT 2 needs ECAP.PT;
 * the DID must be below 2^(4 + 2 CAP.ND); AW must be one of CAP.SAGAW when the entry translates. */
static int check_context(const struct iommu *iommu, uint64_t lo, uint64_t hi, struct vtd_ctx *ctx)
{
	unsigned aw = (unsigned)(hi & VTD_CTX_AW_MASK);

	if ((lo & VTD_CTX_LO_RSVD) || (hi & VTD_CTX_HI_RSVD))
		return VTD_FR_CTX_RSVD;
	ctx->tt = (uint8_t)((lo & VTD_CTX_TT_MASK) >> VTD_CTX_TT_SHIFT);
	ctx->did = (uint16_t)((hi & VTD_CTX_DID_MASK) >> VTD_CTX_DID_SHIFT);
	ctx->slptptr = lo & VTD_CTX_SLPTPTR_MASK;
	ctx->fpd = lo & VTD_CTX_FPD;
	if (ctx->did >= iommu__nr_domains(iommu))
		return VTD_FR_CTX_INVALID;
	if (ctx->tt == VTD_CTX_TT_PASSTHROUGH) {
		if (!(iommu->ecap & DMA_ECAP_PT))
			return VTD_FR_CTX_INVALID;
		ctx->levels = 0;
		ctx->width = 64;
		return 0;
	}
	if (ctx->tt != VTD_CTX_TT_TRANSLATE)
		return VTD_FR_CTX_INVALID;
	if (aw >= 8 || !(iommu->cfg.sagaw & BIT(aw)))
		return VTD_FR_CTX_INVALID;
	ctx->levels = (uint8_t)VTD_AW_LEVELS(aw);
	ctx->width = (uint8_t)MIN(VTD_AW_WIDTH(aw), IOMMU_MGAW);
	return 0;
}

int walk__context(struct iommu *iommu, uint16_t rid, struct vtd_ctx *ctx, bool *fpd)
{
	uint64_t rta = __atomic_load_n(&iommu->rtaddr, __ATOMIC_ACQUIRE);
	const uint64_t *root, *ce;
	uint64_t lo, hi;

	*fpd = false;
	root = mem__ptr(iommu->mem, rta + (uint64_t)(rid >> 8) * VTD_ENTRY_SIZE, VTD_ENTRY_SIZE);
	if (!root)
		return VTD_FR_ROOT_ADDR;
	lo = load_qword(&root[0]);
	hi = load_qword(&root[1]);
	if (!(lo & VTD_ROOT_P))
		return VTD_FR_ROOT_NOT_PRESENT;
	if ((lo & VTD_ROOT_LO_RSVD) || hi)
		return VTD_FR_ROOT_RSVD;
	ce =
	    mem__ptr(iommu->mem, (lo & VTD_ROOT_CTP_MASK) + (uint64_t)(rid & 0xff) * VTD_ENTRY_SIZE,
		     VTD_ENTRY_SIZE);
	if (!ce)
		return VTD_FR_CTP_INVALID;
	vtd__read_entry(ce, &lo, &hi);
	/* VT-d evaluates FPD whether or not P is set: a not-present entry with FPD blocks silently.
	 */
	*fpd = lo & VTD_CTX_FPD;
	if (!(lo & VTD_CTX_P))
		return VTD_FR_CTX_NOT_PRESENT;
	return check_context(iommu, lo, hi, ctx);
}

/* SP is allowed at level 2 with CAP.SLLPS 2 MiB and at level 3 with 1 GiB; elsewhere reserved. */
static bool superpage_ok(const struct iommu *iommu, unsigned level)
{
	return (level == 2 && (iommu->cap & DMA_CAP_SLLPS_2M)) ||
	       (level == 3 && (iommu->cap & DMA_CAP_SLLPS_1G));
}

int walk__pages(struct iommu *iommu, const struct vtd_ctx *ctx, uint64_t iova, unsigned access,
		struct vtd_leaf *leaf)
{
	uint64_t table = ctx->slptptr;
	uint8_t perm = VTD_PTE_R | VTD_PTE_W;

	for (unsigned level = ctx->levels; level >= 1; level--) {
		unsigned idx = (unsigned)(iova >> VTD_LEVEL_SHIFT(level)) & 511;
		const uint64_t *p = mem__ptr(iommu->mem, table + idx * 8ull, 8);
		uint64_t pte, size, maddr;

		if (!p)
			return VTD_FR_PTE_READ;
		pte = load_qword(p);
		/* No present bit: R = W = 0 is not present, reported as the access it denies. */
		if (!(pte & VTD_PTE_PERM_MASK))
			return (access & IOMMU_WRITE) ? VTD_FR_WRITE : VTD_FR_READ;
		if (pte & VTD_PTE_RSVD)
			return VTD_FR_PTE_RSVD;
		/* Permissions are the AND over every level of the walk. */
		perm &= (uint8_t)(pte & VTD_PTE_PERM_MASK);
		if (level > 1 && !(pte & VTD_PTE_SP)) {
			table = pte & VTD_PTE_ADDR_MASK;
			continue;
		}
		if (level > 1 && !superpage_ok(iommu, level))
			return VTD_FR_PTE_RSVD;
		size = VTD_LEVEL_SIZE(level);
		maddr = pte & VTD_PTE_ADDR_MASK;
		/* A superpage's address bits below its size are reserved. */
		if (maddr & (size - 1))
			return VTD_FR_PTE_RSVD;
		leaf->base = iova & ~(size - 1);
		leaf->maddr = maddr;
		leaf->shift = (uint8_t)VTD_LEVEL_SHIFT(level);
		leaf->perm = perm;
		leaf->host = mem__ptr(iommu->mem, maddr, size);
		return 0;
	}
	return VTD_FR_PTE_READ; /* levels == 0: not reached for a checked context */
}
