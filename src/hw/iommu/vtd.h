/*
 * Intel VT-d (legacy mode) formats: register fields, root/context entries, second-level page-table
 * entries, fault reasons, invalidation granularities, interrupt-remapping entries and messages,
 * posted-interrupt descriptors. Every constant is defined here once, named after its VT-d field.
 * Reference: shared/reference/iommu.md (section numbers below refer to it).
 */
#ifndef VFNET_HW_IOMMU_VTD_H
#define VFNET_HW_IOMMU_VTD_H

#include "lib/compiler.h"

/* Tables are read and written as host-order 64-bit words: VT-d is little-endian. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "VT-d tables are little-endian");

#define VTD_PAGE_SHIFT 12
#define VTD_PAGE_SIZE  (1ull << VTD_PAGE_SHIFT)
#define VTD_PAGE_MASK  (~(VTD_PAGE_SIZE - 1))
#define VTD_LEVEL_BITS 9  /* 512 entries per 4 KiB table */
#define VTD_ENTRY_SIZE 16 /* root, context and IRT entries are 128-bit */

/* Level L (1 = leaf) maps 2^(12 + 9(L-1)) bytes per entry: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
#define VTD_LEVEL_SHIFT(l) (VTD_PAGE_SHIFT + VTD_LEVEL_BITS * ((l)-1))
#define VTD_LEVEL_SIZE(l)  (1ull << VTD_LEVEL_SHIFT(l))

/* §2 CAP register */
#define DMA_CAP_ND_SHIFT    0 /* domains = 2^(4 + 2 ND) */
#define DMA_CAP_SAGAW_SHIFT 8
#define DMA_CAP_MGAW_SHIFT  16 /* MGAW + 1 bits */
#define DMA_CAP_FRO_SHIFT   24
#define DMA_CAP_SLLPS_2M    BIT64(34)
#define DMA_CAP_SLLPS_1G    BIT64(35)
#define DMA_CAP_PSI	    BIT64(39)
#define DMA_CAP_NFR_SHIFT   40 /* NFR + 1 fault records */
#define DMA_CAP_MAMV_SHIFT  48
#define DMA_CAP_PI	    BIT64(59)
#define DMA_CAP_SAGAW_39    BIT(1) /* AW 1, 3 levels */
#define DMA_CAP_SAGAW_48    BIT(2) /* AW 2, 4 levels */

/* §2 ECAP register */
#define DMA_ECAP_QI  BIT64(1)
#define DMA_ECAP_IR  BIT64(3)
#define DMA_ECAP_EIM BIT64(4)
#define DMA_ECAP_PT  BIT64(6)

/* §3 root entry (low qword; the high qword is reserved) */
#define VTD_ROOT_P	  BIT64(0)
#define VTD_ROOT_CTP_MASK 0xfffffffffffff000ull /* context-table pointer, bits 63:12 */
#define VTD_ROOT_LO_RSVD  0x0000000000000ffeull

/* §3 context entry, low qword */
#define VTD_CTX_P	     BIT64(0)
#define VTD_CTX_FPD	     BIT64(1)
#define VTD_CTX_TT_SHIFT     2
#define VTD_CTX_TT_MASK	     (3ull << VTD_CTX_TT_SHIFT)
#define VTD_CTX_SLPTPTR_MASK 0xfffffffffffff000ull
#define VTD_CTX_LO_RSVD	     0x0000000000000ff0ull
/* context entry, high qword */
#define VTD_CTX_AW_MASK	  0x7ull
#define VTD_CTX_AVL_MASK  0x78ull
#define VTD_CTX_DID_SHIFT 8
#define VTD_CTX_DID_MASK  (0xffffull << VTD_CTX_DID_SHIFT)
#define VTD_CTX_HI_RSVD	  (~(VTD_CTX_AW_MASK | VTD_CTX_AVL_MASK | VTD_CTX_DID_MASK))

/* Translation types (TT) */
#define VTD_CTX_TT_TRANSLATE   0 /* untranslated requests, walk the page table */
#define VTD_CTX_TT_DEVTLB      1 /* as 0 plus ATS; vfnet has no device-IOTLB (ECAP.DT = 0) */
#define VTD_CTX_TT_PASSTHROUGH 2 /* DMA address = machine address (ECAP.PT) */

/* Address widths (AW): levels = AW + 2, width = 30 + 9 AW bits */
#define VTD_AW_39BIT	  1
#define VTD_AW_48BIT	  2
#define VTD_AW_LEVELS(aw) ((aw) + 2)
#define VTD_AW_WIDTH(aw)  (30 + 9 * (aw))

/* §4 second-level page-table entry */
#define VTD_PTE_R	  BIT64(0)
#define VTD_PTE_W	  BIT64(1)
#define VTD_PTE_RSVD	  0x7cull /* bits 6:2 */
#define VTD_PTE_SP	  BIT64(7)
#define VTD_PTE_SNP	  BIT64(11)
#define VTD_PTE_ADDR_MASK 0x000ffffffffff000ull /* bits 51:12 */
#define VTD_PTE_TM	  BIT64(62)
#define VTD_PTE_PERM_MASK (VTD_PTE_R | VTD_PTE_W)

/* §5 FSTS register */
#define DMA_FSTS_PFO	   BIT(0)
#define DMA_FSTS_PPF	   BIT(1)
#define DMA_FSTS_FRI_SHIFT 8
#define DMA_FSTS_FRI_MASK  (0xffu << DMA_FSTS_FRI_SHIFT)

/* §5 fault reasons: DMA remapping */
#define VTD_FR_ROOT_NOT_PRESENT 0x1
#define VTD_FR_CTX_NOT_PRESENT	0x2
#define VTD_FR_CTX_INVALID	0x3
#define VTD_FR_ADDR_BEYOND_MGAW 0x4
#define VTD_FR_WRITE		0x5
#define VTD_FR_READ		0x6
#define VTD_FR_PTE_READ		0x7
#define VTD_FR_ROOT_ADDR	0x8
#define VTD_FR_CTP_INVALID	0x9
#define VTD_FR_ROOT_RSVD	0xa
#define VTD_FR_CTX_RSVD		0xb
#define VTD_FR_PTE_RSVD		0xc
#define VTD_FR_TT_BLOCKED	0xd
/* §5 fault reasons: interrupt remapping */
#define VTD_FR_IR_REQ_RSVD    0x20
#define VTD_FR_IR_INDEX	      0x21
#define VTD_FR_IR_NOT_PRESENT 0x22
#define VTD_FR_IR_IRT_READ    0x23
#define VTD_FR_IR_IRTE_RSVD   0x24
#define VTD_FR_IR_COMPAT      0x25
#define VTD_FR_IR_SID	      0x26

/* §6 context-cache invalidation granularity (CCMD.CIRG) and function mask (CCMD.FM) */
#define DMA_CCMD_GLOBAL_INVL 1
#define DMA_CCMD_DOMAIN_INVL 2
#define DMA_CCMD_DEVICE_INVL 3
#define DMA_CCMD_FM_MAX	     3 /* FM n: ignore the low n bits of the function number */

/* §6 IOTLB invalidation granularity (IOTLB.IIRG) */
#define DMA_TLB_GLOBAL_FLUSH 1
#define DMA_TLB_DSI_FLUSH    2 /* domain-selective */
#define DMA_TLB_PSI_FLUSH    3 /* page-selective: IVA.ADDR and IVA.AM */

/* §6 interrupt-entry-cache invalidation granularity */
#define IEC_GLOBAL_INVL 0
#define IEC_INDEX_INVL	1

/* §7 IRTA register */
#define IRTA_S_MASK    0xfull /* 2^(S + 1) entries */
#define IRTA_EIME      BIT64(11)
#define IRTA_ADDR_MASK 0xfffffffffffff000ull

/* §7 IRTE, low qword, both formats */
#define IRTE_P		  BIT64(0)
#define IRTE_FPD	  BIT64(1)
#define IRTE_IM		  BIT64(15) /* 1 = posted format */
#define IRTE_VECTOR_SHIFT 16
#define IRTE_VECTOR_MASK  (0xffull << IRTE_VECTOR_SHIFT)
/* remapped format (IM = 0) */
#define IRTE_DM		     BIT64(2)
#define IRTE_RH		     BIT64(3)
#define IRTE_TM		     BIT64(4)
#define IRTE_DLM_SHIFT	     5
#define IRTE_DLM_MASK	     (7ull << IRTE_DLM_SHIFT)
#define IRTE_DST_SHIFT	     32
#define IRTE_DST_XAPIC_SHIFT 40 /* xAPIC mode (IRTA.EIME = 0): 8-bit id in bits 47:40 */
#define IRTE_REMAP_LO_RSVD   0x00000000ff007000ull /* bits 14:12, 31:24 */
#define IRTE_DST_XAPIC_RSVD  0xffff00ff00000000ull /* bits 63:48, 39:32 when EIME = 0 */
/* posted format (IM = 1) */
#define IRTE_URG	  BIT64(14)
#define IRTE_PDA_LO_SHIFT 38 /* bits 63:38 hold descriptor address bits 31:6 */
#define IRTE_PDA_LO_MASK  0xffffffc000000000ull
#define IRTE_POST_LO_RSVD 0x0000003fff0030fcull /* bits 7:2, 13:12, 37:24 */
/* high qword, both formats */
#define IRTE_SID_MASK	   0xffffull
#define IRTE_SQ_SHIFT	   16
#define IRTE_SQ_MASK	   (3ull << IRTE_SQ_SHIFT)
#define IRTE_SVT_SHIFT	   18
#define IRTE_SVT_MASK	   (3ull << IRTE_SVT_SHIFT)
#define IRTE_PDA_HI_SHIFT  32 /* posted: descriptor address bits 63:32 in bits 127:96 */
#define IRTE_REMAP_HI_RSVD 0xfffffffffff00000ull /* bits 127:84 */
#define IRTE_POST_HI_RSVD  0x00000000fff00000ull /* bits 115:84 */
/* SVT: source validation type */
#define IRTE_SVT_NONE 0
#define IRTE_SVT_RID  1 /* compare the RID with SID, ignoring the bits SQ names */
#define IRTE_SVT_BUS  2 /* SID[15:8] <= bus <= SID[7:0] */

/* §7 MSI address and data */
#define MSI_ADDR_BASE_SHIFT	20
#define MSI_ADDR_BASE		0xfeeu /* bits 31:20 */
#define MSI_ADDR_IF_REMAP	BIT(4) /* interrupt format: 1 = remappable */
#define MSI_ADDR_SHV		BIT(3) /* sub-handle valid */
#define MSI_ADDR_HANDLE15	BIT(2) /* handle bit 15 */
#define MSI_ADDR_HANDLE_SHIFT	5      /* handle bits 14:0 in address bits 19:5 */
#define MSI_ADDR_HANDLE_MASK	(0x7fffu << MSI_ADDR_HANDLE_SHIFT)
#define MSI_DATA_SUBHANDLE_MASK 0xffffu
/* compatibility format */
#define MSI_ADDR_DEST_SHIFT  12 /* destination id, bits 19:12 */
#define MSI_ADDR_DM	     BIT(2)
#define MSI_DATA_VECTOR_MASK 0xffu
#define MSI_DATA_DLM_SHIFT   8
#define MSI_DATA_TM	     BIT(15)

/* §8 posted-interrupt descriptor: PIR in qwords 0-3, control in qword 4 */
#define PI_DESC_SIZE	   64
#define PI_CTRL_ON	   BIT64(0) /* bit 256: outstanding notification */
#define PI_CTRL_SN	   BIT64(1) /* bit 257: suppress notification */
#define PI_CTRL_NV_SHIFT   16	    /* bits 279:272 */
#define PI_CTRL_NDST_SHIFT 32	    /* bits 319:288 */

#endif
