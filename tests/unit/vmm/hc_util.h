/* Helpers for tests that speak hypercalls to an in-process hypervisor (no domain processes). */
#ifndef VFNET_TESTS_HC_UTIL_H
#define VFNET_TESTS_HC_UTIL_H

#include <string.h>
#include <unistd.h>

#include "vmm/hypercall.h"

static inline int hc(struct hv *hv, struct domain *d, unsigned op, const void *args, size_t alen,
		     void *out, size_t outlen, struct hc_reply *rep)
{
	uint8_t msg[VFNET_HC_MAX_MSG];
	struct vfnet_hc_req req = {.op = (uint16_t)op, .len = (uint16_t)alen, .seq = 7};

	memcpy(msg, &req, sizeof(req));
	if (alen)
		memcpy(msg + sizeof(req), args, alen);
	hypercall__handle(hv, d, msg, sizeof(req) + alen, rep);
	if (out)
		memcpy(out, rep->data, rep->hdr.len < outlen ? rep->hdr.len : outlen);
	return rep->hdr.status;
}

static inline uint32_t hc_cfg_rd(struct hv *hv, struct domain *d, uint16_t rid, unsigned off,
				 unsigned size, int *rc)
{
	struct vfnet_hc_cfg c = {.rid = rid, .off = (uint16_t)off, .size = (uint8_t)size};
	struct vfnet_hc_cfg_val v = {0};
	struct hc_reply rep;
	int r = hc(hv, d, VFNET_HC_CFG_READ, &c, sizeof(c), &v, sizeof(v), &rep);

	if (rc)
		*rc = r;
	return v.val;
}

static inline int hc_cfg_wr(struct hv *hv, struct domain *d, uint16_t rid, unsigned off,
			    unsigned size, uint32_t val)
{
	struct vfnet_hc_cfg c = {.rid = rid, .off = (uint16_t)off, .size = (uint8_t)size,
				 .val = val};
	struct hc_reply rep;

	return hc(hv, d, VFNET_HC_CFG_WRITE, &c, sizeof(c), NULL, 0, &rep);
}

#endif
