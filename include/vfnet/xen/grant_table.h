/*
 * Grant tables: the wire format of Xen's public grant_table.h (v1 entries, the copy, map and unmap
 * operations, status codes), as vfnet's hypervisor (src/vmm/gnttab.c) and domains
 * (src/os/gnttab.c) speak it. Layouts and numbers are Xen's; where vfnet differs, it says so.
 *
 * A domain keeps its grant table in pages of its own RAM and tells the hypervisor where they are
 * (GNTTABOP_setup_table: on Xen the hypervisor hands the frames out; here the domain hands them
 * in). An entry grants one page of the granting domain to one other domain. Granting: write domid
 * and frame, a write barrier, then flags. Revoking: atomically exchange flags for 0, only when
 * neither GTF_reading nor GTF_writing is set (the hypervisor sets them while it uses the page).
 * Frames are guest-physical page numbers of the granting domain.
 */
#ifndef VFNET_XEN_GRANT_TABLE_H
#define VFNET_XEN_GRANT_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;
typedef uint16_t domid_t;

#define DOMID_SELF ((domid_t)0x7FF0U)

#define XEN_PAGE_SHIFT 12
#define XEN_PAGE_SIZE  4096u

struct grant_entry_v1 {
	uint16_t flags;
	domid_t domid;	/* the domain allowed to use the page */
	uint32_t frame; /* the granting domain's page */
};

_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1 is 8 bytes");

#define GNTTAB_ENTRIES_PER_FRAME     (XEN_PAGE_SIZE / sizeof(struct grant_entry_v1))
#define GNTTAB_NR_RESERVED_ENTRIES   8 /* references the granting domain keeps for itself */

#define GTF_invalid	    (0u << 0)
#define GTF_permit_access   (1u << 0)
#define GTF_accept_transfer (2u << 0)
#define GTF_transitive	    (3u << 0)
#define GTF_type_mask	    (3u << 0)
#define GTF_readonly	    (1u << 2)
#define GTF_reading	    (1u << 3)
#define GTF_writing	    (1u << 4)
#define GTF_PWT		    (1u << 5)
#define GTF_PCD		    (1u << 6)
#define GTF_PAT		    (1u << 7)
#define GTF_sub_page	    (1u << 8)

/* vfnet: elements of one copy, map or unmap hypercall. */
#define VFNET_GNTTAB_MAX_BATCH 128

/* Grant-table operations (Xen's numbers). */
#define GNTTABOP_map_grant_ref	  0
#define GNTTABOP_unmap_grant_ref  1
#define GNTTABOP_setup_table	  2
#define GNTTABOP_dump_table	  3
#define GNTTABOP_transfer	  4
#define GNTTABOP_copy		  5
#define GNTTABOP_query_size	  6

/* Status codes. */
#define GNTST_okay		0
#define GNTST_general_error	(-1)
#define GNTST_bad_domain	(-2)
#define GNTST_bad_gntref	(-3)
#define GNTST_bad_handle	(-4)
#define GNTST_bad_virt_addr	(-5)
#define GNTST_bad_dev_addr	(-6)
#define GNTST_no_device_space	(-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page		(-9)
#define GNTST_bad_copy_arg	(-10)
#define GNTST_address_too_big	(-11)
#define GNTST_eagain		(-12)
#define GNTST_no_space		(-13)

/*
 * GNTTABOP_copy. Each side is a grant reference of domain @domid (flag GNTCOPY_*_gref) or a
 * frame of the calling domain (@domid DOMID_SELF or the caller's id). offset + len stays inside
 * one page on both sides.
 */
#define GNTCOPY_source_gref (1u << 0)
#define GNTCOPY_dest_gref   (1u << 1)

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref;
		uint64_t gmfn;
	} u;
	domid_t domid;
	uint16_t offset;
	uint8_t pad[4];
};

struct gnttab_copy {
	struct gnttab_copy_ptr source;
	struct gnttab_copy_ptr dest;
	uint16_t len;
	uint16_t flags;
	int16_t status; /* out */
	uint8_t pad[2];
};

_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy is 40 bytes");
_Static_assert(offsetof(struct gnttab_copy, dest) == 16 && offsetof(struct gnttab_copy, len) == 32 &&
		       offsetof(struct gnttab_copy, status) == 36,
	       "gnttab_copy layout");

/*
 * GNTTABOP_map_grant_ref. @host_addr is the guest-physical address in the mapping domain's RAM
 * where the page is to appear (a page the domain set aside, as Linux balloons one out), as for
 * an HVM or PVH domain on Xen; @flags must hold GNTMAP_host_map. vfnet: only dom0 maps (Linux
 * cannot hand a process a single page of another's memory file, and dom0 is who Xen trusts with
 * guests' memory anyway); the reply carries the granting domain's RAM file (read-only when every
 * mapping of the call is), and @dev_bus_addr is the page's offset in it. One call maps grants of
 * one granting domain.
 */
#define GNTMAP_device_map      (1u << 0)
#define GNTMAP_host_map	       (1u << 1)
#define GNTMAP_readonly	       (1u << 2)
#define GNTMAP_application_map (1u << 3)
#define GNTMAP_contains_pte    (1u << 4)

struct gnttab_map_grant_ref {
	uint64_t host_addr;
	uint32_t flags;
	grant_ref_t ref;
	domid_t dom;
	int16_t status;		/* out */
	grant_handle_t handle;	/* out */
	uint64_t dev_bus_addr;	/* out: offset of the page in the granting domain's RAM file */
};

_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "gnttab_map_grant_ref is 32 bytes");
_Static_assert(offsetof(struct gnttab_map_grant_ref, handle) == 20, "map layout");

struct gnttab_unmap_grant_ref {
	uint64_t host_addr;
	uint64_t dev_bus_addr;
	grant_handle_t handle;
	int16_t status; /* out */
	uint8_t pad[2];
};

_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "gnttab_unmap_grant_ref is 24 bytes");

/* GNTTABOP_setup_table: the frames of the caller's table, in its own RAM (vfnet's direction). */
#define GNTTAB_MAX_FRAMES 32

struct gnttab_setup_table {
	domid_t dom; /* DOMID_SELF */
	uint8_t pad[2];
	uint32_t nr_frames;
	int16_t status; /* out */
	uint8_t pad2[6];
	uint64_t frame_list[GNTTAB_MAX_FRAMES]; /* the first nr_frames are used */
};

_Static_assert(sizeof(struct gnttab_setup_table) == 16 + 8 * GNTTAB_MAX_FRAMES, "setup_table");

struct gnttab_query_size {
	domid_t dom; /* DOMID_SELF */
	uint8_t pad[2];
	uint32_t nr_frames;	/* out */
	uint32_t max_nr_frames; /* out */
	int16_t status;		/* out */
	uint8_t pad2[2];
};

_Static_assert(sizeof(struct gnttab_query_size) == 16, "query_size");

#endif
