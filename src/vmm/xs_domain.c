#include "vmm/xs_domain.h"

#include <stdio.h>

#include "vmm/domain.h"
#include "vmm/evtchn.h"
#include "vmm/hv.h"
#include "vmm/xenstore.h"

int xs_domain__add(struct hv *hv, struct domain *d)
{
	char path[64], perms[16], val[32];
	static const char *const own[] = {"device", "data", "control"};
	int rc;

	snprintf(path, sizeof(path), "/local/domain/%u", d->id);
	snprintf(perms, sizeof(perms), "n%u", d->id);
	if ((rc = xenstore__mkdir(hv->xs, path, perms)))
		return rc;
	snprintf(path, sizeof(path), "/local/domain/%u/name", d->id);
	if ((rc = xenstore__write(hv->xs, path, d->name, NULL)))
		return rc;
	snprintf(path, sizeof(path), "/local/domain/%u/domid", d->id);
	snprintf(val, sizeof(val), "%u", d->id);
	if ((rc = xenstore__write(hv->xs, path, val, NULL)))
		return rc;
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", d->id);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)(d->ram_bytes >> 10));
	if ((rc = xenstore__write(hv->xs, path, val, NULL)))
		return rc;
	for (unsigned i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		snprintf(path, sizeof(path), "/local/domain/%u/%s", d->id, own[i]);
		if ((rc = xenstore__mkdir(hv->xs, path, perms)))
			return rc;
	}
	if (d->role == VFNET_ROLE_DOM0) {
		snprintf(path, sizeof(path), "/local/domain/0/backend");
		if ((rc = xenstore__mkdir(hv->xs, path, "n0")))
			return rc;
	}
	return 0;
}

void xs_domain__remove(struct hv *hv, struct domain *d)
{
	char path[64];

	if (d->role == VFNET_ROLE_DOM0)
		return;
	snprintf(path, sizeof(path), "/local/domain/%u", d->id);
	xenstore__rm(hv->xs, path);
}

void xs_domain__notify(void *opaque, unsigned domid)
{
	struct hv *hv = opaque;
	struct domain *d = hv__domain(hv, domid);

	if (d && !d->dying && d->store_port > 0)
		hv_evtchn__raise(d, (evtchn_port_t)d->store_port);
}
