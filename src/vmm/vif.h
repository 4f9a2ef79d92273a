/*
 * A domain's paravirtual network interfaces, as Xen's toolstack (libxl) makes them: a frontend
 * directory /local/domain/<dom>/device/vif/<devid> owned by the guest and readable by dom0, and a
 * backend directory /local/domain/0/backend/vif/<dom>/<devid> owned by dom0 and readable by the
 * guest, each naming the other; netback (dom0) and netfront (the guest) take it from there.
 *
 * Removal is polite, as libxl's: the backend is told to go offline (online = 0, state Closing),
 * the frontend closes, the backend answers Closed, and then both directories go; a side that
 * does not answer within VIF_REMOVE_TIMEOUT_MS is not waited for. A guest's death removes them at
 * once; dom0's death marks every backend Closed, so frontends wait for the next dom0.
 */
#ifndef VFNET_VMM_VIF_H
#define VFNET_VMM_VIF_H

#include <stdbool.h>
#include <stdint.h>

#define VIF_MAX			8 /* per domain */
#define VIF_BRIDGE_LEN		16
#define VIF_DEFAULT_BRIDGE	"xenbr0"
#define VIF_REMOVE_TIMEOUT_MS	2000

struct hv;
struct domain;

struct vif_spec {
	uint8_t mac[6];	 /* all zero: a random 00:16:3e:xx:xx:xx */
	char bridge[VIF_BRIDGE_LEN]; /* "": VIF_DEFAULT_BRIDGE */
	int devid;	 /* -1: the lowest free */
};

/* Checks a spec as it came from a user: 0, or -EINVAL with a message in @err (160 bytes). */
int vif__check(const struct vif_spec *s, char *err);
/* Writes both directories; the device's id into *@devid. */
int vif__add(struct hv *hv, struct domain *d, const struct vif_spec *s, unsigned *devid);
/* Starts removing @devid of @d (-ENOENT when it has none); @done(opaque, token, 0) is called
 * when both directories are gone (at once with @force). */
int vif__remove(struct hv *hv, struct domain *d, unsigned devid, bool force,
		void (*done)(void *opaque, uint64_t token, int rc), void *opaque, uint64_t token);
/* The devids of @d's interfaces into @ids (at most VIF_MAX): how many. */
unsigned vif__list(struct hv *hv, const struct domain *d, unsigned *ids);
/* The spec @d's interface @devid was made with (MAC, bridge, devid): 0 or -ENOENT. */
int vif__spec_of(struct hv *hv, const struct domain *d, unsigned devid, struct vif_spec *out);
/* A guest is gone: its interfaces' directories are removed. */
void vif__release_domain(struct hv *hv, struct domain *d);
/* dom0 is gone: every backend directory says Closed until the next dom0's netback. */
void vif__backend_gone(struct hv *hv);
/* Drops pending removals (the control server goes). */
void vif__fini(struct hv *hv);

#endif
