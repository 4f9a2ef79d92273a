/*
 * Grant tables (vfnet/xen/grant_table.h for the wire format). Each domain's table lives in pages
 * of its own RAM that it names with GNTTABOP_setup_table; the hypervisor reads and updates the
 * entries there with the granting protocol's atomics, and keeps beside them what the domain
 * must not be able to forge: the pin counts of grants in use (reading/writing flags are set
 * while a copy or a mapping uses the page) and, for a mapping domain, its mappings (handles) and
 * the guest-physical pages they cover, so that a grant copy naming such a page of the mapping
 * domain reaches the granted page, as a PVH dom0's p2m does on Xen.
 *
 * Runs on the control thread.
 */
#ifndef VFNET_VMM_GNTTAB_H
#define VFNET_VMM_GNTTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfnet/xen/grant_table.h"

#define GNTTAB_MAX_MAPS 4096 /* mappings one domain may hold */

struct hv;
struct domain;
struct hc_reply;

struct gnt_pin {
	uint16_t rd, wr; /* uses of the grant (all; writable ones) */
	uint32_t frame;	 /* the frame they use, read when the first pin was taken */
};

struct gnt_map {
	bool in_use, readonly;
	domid_t dom;	 /* granting domain */
	uint64_t gen;	 /* ... and its instance */
	grant_ref_t ref;
	uint32_t frame;	 /* granting domain's page */
	uint32_t gfn;	 /* where the mapping domain has it */
};

struct gnttab {
	/* as granting domain */
	uint64_t frames[GNTTAB_MAX_FRAMES];
	unsigned nr_frames;
	struct gnt_pin *pins; /* nr_frames * GNTTAB_ENTRIES_PER_FRAME */
	unsigned pinned;      /* entries with pins */
	/* as mapping domain */
	struct gnt_map *maps; /* GNTTAB_MAX_MAPS, allocated at the first map */
	unsigned nmaps;
	uint32_t *gfn_map;    /* per page of RAM: map handle + 1, or 0 */
	int ro_fd;	      /* the RAM file opened read-only, for read-only mappings of it */
	/* counters */
	uint64_t copies, copy_bytes, copy_errors, map_ops, unmap_ops;
};

void hv_gnttab__init(struct gnttab *gt);
/* The domain is going: its mappings are released (pins given back), its table forgotten. */
void hv_gnttab__release(struct hv *hv, struct domain *d);

/* VFNET_HC_GRANT_TABLE_OP. */
int hv_gnttab__op(struct hv *hv, struct domain *d, const void *args, size_t len,
	       struct hc_reply *rep);

/* A grant entry of @d as the hypervisor sees it (tests, `vfnet` tools): 0 or -ENOENT. */
int hv_gnttab__entry(struct domain *d, grant_ref_t ref, struct grant_entry_v1 *out);

#endif
