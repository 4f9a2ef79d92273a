/*
 * xenstore, run by the hypervisor (Xen runs it as a daemon in dom0 or a stub domain; here it is
 * the machine's, so that it outlives a dom0 restart). The protocol is Xen's (vfnet/xen/xs_wire.h
 * and docs/misc/xenstore.txt): read, write, mkdir, rm, directory (and directory_part),
 * get/set_perms, watch/unwatch (with @introduceDomain and @releaseDomain), transactions,
 * get_domain_path, is_domain_introduced, reset_watches. Domains send requests by hypercall and may
 * use paths relative to /local/domain/<id>; tools of the machine (`vfnet xenstore-*`) have dom0's
 * rights with absolute paths and no watches or transactions.
 *
 * Quotas per domain other than dom0: XS_MAX_DOMAIN_NODES nodes, XS_MAX_VALUE bytes a value,
 * XS_MAX_WATCHES watches, XS_MAX_TRANSACTIONS open transactions, XS_MAX_EVENTS queued watch
 * events (identical pending events coalesce; beyond that they are dropped and counted).
 *
 * Runs on the control thread.
 */
#ifndef VFNET_VMM_XENSTORE_H
#define VFNET_VMM_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfnet/xen/xs_wire.h"

#define XS_MAX_WATCHES	    128
#define XS_MAX_TRANSACTIONS 10
#define XS_MAX_EVENTS	    1024
#define XS_CONNS	    16 /* domain ids 0..15 (HV_MAX_DOMAINS) */
#define XS_TOOL		    (-1) /* the caller is a tool of the machine */

struct xenstore;

/* @notify(opaque, dom) is called when domain @dom has a watch event queued. */
int xenstore__create(struct xenstore **out, void (*notify)(void *opaque, unsigned dom),
		     void *opaque);
void xenstore__destroy(struct xenstore *xs);

/*
 * One request of domain @dom (0..XS_CONNS-1) or of a tool (XS_TOOL): @msg is an xsd_sockmsg and
 * its payload, as it came (checked here). The reply (an xsd_sockmsg and payload, at most @rmax
 * bytes) goes to @reply; returns its length.
 */
size_t xenstore__request(struct xenstore *xs, int dom, const void *msg, size_t len, void *reply,
			 size_t rmax);

/* A domain appeared (@introduceDomain) / is gone: its watches, transactions and queued events
 * are dropped, its nodes go to dom0, @releaseDomain fires. The caller removes its paths. */
void xenstore__introduce(struct xenstore *xs, unsigned dom);
void xenstore__release(struct xenstore *xs, unsigned dom);

/* The toolstack's own changes (dom0's rights; watches fire). @perms is "n3,r0" or NULL to
 * inherit. 0 or -errno. */
int xenstore__write(struct xenstore *xs, const char *path, const char *value, const char *perms);
int xenstore__mkdir(struct xenstore *xs, const char *path, const char *perms);
int xenstore__rm(struct xenstore *xs, const char *path);
/* The value at @path into @buf (NUL-terminated); its length or -ENOENT / -E2BIG. */
int xenstore__read(struct xenstore *xs, const char *path, char *buf, size_t size);

struct xenstore_stats {
	uint64_t requests, errors, events, events_lost, tx_commits, tx_conflicts;
	unsigned nodes;
};
void xenstore__stats(const struct xenstore *xs, struct xenstore_stats *st);

/* Walk the tree below @path (tools: xenstore-ls): @fn gets each node's path, value, depth
 * below @path and permissions as "n0,r3". 0 or -ENOENT. */
int xenstore__walk(struct xenstore *xs, const char *path,
		   void (*fn)(void *opaque, const char *path, const char *value, size_t len,
			      unsigned depth, const char *perms),
		   void *opaque);

#endif
