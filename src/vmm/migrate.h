/*
 * Live migration of a guest (docs/hypervisor.md, "Live migration"): pre-copy rounds of its RAM
 * with the guest's writes logged, then stop-and-copy, through a migration stream
 * (migrate_stream.h) to a new domain that resumes the guest where it stopped.
 */
#ifndef VFNET_VMM_MIGRATE_H
#define VFNET_VMM_MIGRATE_H

#include <stdint.h>

struct control;
struct domain;
struct hc_reply;
struct json_object;

struct migrate_opts {
	unsigned max_rounds; /* pre-copy rounds before stop-and-copy, whatever is left */
	uint64_t bandwidth;  /* bytes per second of the stream; 0: unlimited */
	uint64_t token;	     /* the control client to answer (control__complete_json) */
};

/* Starts migrating @d to a new domain of this machine; 0 (the client is answered when it ends)
 * or -errno with @err. */
int migrate__start(struct control *c, struct domain *d, const struct migrate_opts *o, char *err);
/* A guest's VFNET_HC_MIGRATE (hypercall.c): 0 or -errno; may defer the reply. */
int migrate__guest(struct domain *d, uint32_t cmd, int32_t status, uint64_t bytes,
		   struct hc_reply *rep);
/* @d, the source or destination of a migration, is going: the migration fails. */
void migrate__domain_gone(struct domain *d);

#endif
