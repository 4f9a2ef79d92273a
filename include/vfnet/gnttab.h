/*
 * Grant tables in a domain: share pages of this domain's RAM with another domain, and (dom0)
 * copy from and into other domains' granted pages or map them. The table itself lives in this
 * domain's RAM (set up on first use); references 0..7 are kept back, as Xen reserves them.
 * Wire format and status codes: vfnet/xen/grant_table.h.
 */
#ifndef VFNET_GNTTAB_H
#define VFNET_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "vfnet/xen/grant_table.h"

/* A free reference, or -ENOSPC. */
int gnttab__claim(void);
void gnttab__release(grant_ref_t ref);
/* Grant the page at bus address @bus (page-aligned) of this domain to @domid (Xen's granting
 * order: domid and frame, a barrier, the flags). */
void gnttab__grant(grant_ref_t ref, domid_t domid, uint64_t bus, bool readonly);
/* Revoke: 0, or -EBUSY while the other side still uses the page (the grant then stays). */
int gnttab__end(grant_ref_t ref);
/* Claim and grant in one: the reference or -errno. */
int gnttab__grant_page(domid_t domid, uint64_t bus, bool readonly);

/* Batched copies (VFNET_GNTTAB_MAX_BATCH per hypercall): each op gets its status. 0, or -errno
 * when the hypercall itself failed. */
int gnttab__copy(struct gnttab_copy *ops, unsigned n);

/*
 * dom0: map granted pages of one domain at pages of this domain's RAM (host_addr: bus addresses
 * of pages set aside for it, from dma__alloc), so that the page there is the granted one until
 * unmapped; each op gets its status and handle. Unmap puts this domain's own page back.
 */
int gnttab__map(struct gnttab_map_grant_ref *ops, unsigned n);
int gnttab__unmap(struct gnttab_unmap_grant_ref *ops, unsigned n);

#endif
