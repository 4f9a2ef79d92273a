#include "vmm/vif.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/loop.h"
#include "vmm/xenstore.h"

#define POLL_NS 10000000ull /* 10 ms between looks at a backend being closed */

struct vif_removal {
	struct hv *hv;
	unsigned dom;
	uint64_t gen;
	unsigned devid;
	unsigned polls;
	int timer;
	void (*done)(void *opaque, uint64_t token, int rc);
	void *opaque;
	uint64_t token;
	struct vif_removal *next;
};

static void front_path(char *buf, size_t n, unsigned dom, unsigned devid)
{
	snprintf(buf, n, "/local/domain/%u/device/vif/%u", dom, devid);
}

static void back_path(char *buf, size_t n, unsigned dom, unsigned devid)
{
	snprintf(buf, n, "/local/domain/0/backend/vif/%u/%u", dom, devid);
}

static bool bridge_ok(const char *s)
{
	size_t n = strlen(s);

	if (n >= VIF_BRIDGE_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

int vif__check(const struct vif_spec *s, char *err)
{
	if (s->mac[0] & 1) {
		snprintf(err, 160, "vif mac %02x:%02x:%02x:%02x:%02x:%02x is a multicast address",
			 s->mac[0], s->mac[1], s->mac[2], s->mac[3], s->mac[4], s->mac[5]);
		return -EINVAL;
	}
	if (!bridge_ok(s->bridge)) {
		snprintf(err, 160, "vif bridge must be 1..15 of [A-Za-z0-9_.-]");
		return -EINVAL;
	}
	if (s->devid >= VIF_MAX) {
		snprintf(err, 160, "vif devid must be 0..%d", VIF_MAX - 1);
		return -EINVAL;
	}
	return 0;
}

static bool exists(struct hv *hv, unsigned dom, unsigned devid)
{
	char path[96], buf[8];

	back_path(path, sizeof(path), dom, devid);
	if (xenstore__read(hv->xs, path, buf, sizeof(buf)) != -ENOENT)
		return true;
	front_path(path, sizeof(path), dom, devid);
	return xenstore__read(hv->xs, path, buf, sizeof(buf)) != -ENOENT;
}

unsigned vif__list(struct hv *hv, const struct domain *d, unsigned *ids)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VIF_MAX; i++)
		if (exists(hv, d->id, i))
			ids[n++] = i;
	return n;
}

int vif__spec_of(struct hv *hv, const struct domain *d, unsigned devid, struct vif_spec *out)
{
	char path[112], mac[24];
	unsigned v[6];

	memset(out, 0, sizeof(*out));
	out->devid = (int)devid;
	back_path(path, sizeof(path), d->id, devid);
	strcat(path, "/mac");
	if (xenstore__read(hv->xs, path, mac, sizeof(mac)) < 0 ||
	    sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -ENOENT;
	for (int i = 0; i < 6; i++)
		out->mac[i] = (uint8_t)v[i];
	back_path(path, sizeof(path), d->id, devid);
	strcat(path, "/bridge");
	if (xenstore__read(hv->xs, path, out->bridge, sizeof(out->bridge)) < 0)
		out->bridge[0] = '\0';
	return 0;
}

static void random_mac(uint8_t mac[6])
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	/* Xen's OUI, as xl picks one. */
	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	if (fd < 0 || read(fd, mac + 3, 3) != 3) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		mac[3] = (uint8_t)ts.tv_nsec;
		mac[4] = (uint8_t)(ts.tv_nsec >> 8);
		mac[5] = (uint8_t)getpid();
	}
	if (fd >= 0)
		close(fd);
	mac[3] &= 0x7f;
}

/* Writes @n (key, value) pairs under @dir. */
static int write_keys(struct hv *hv, const char *dir, const char *const (*kv)[2], unsigned n)
{
	char path[160];
	int rc;

	for (unsigned i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, kv[i][0]);
		if ((rc = xenstore__write(hv->xs, path, kv[i][1], NULL)))
			return rc;
	}
	return 0;
}

int vif__add(struct hv *hv, struct domain *d, const struct vif_spec *s, unsigned *devid)
{
	char front[96], back[96], fperm[24], bperm[24], mac[18], dom[8], id[8];
	uint8_t m[6];
	unsigned dev;
	int rc;

	if (d->role == VFNET_ROLE_DOM0)
		return -EINVAL;
	if (s->devid >= 0) {
		dev = (unsigned)s->devid;
		if (dev >= VIF_MAX)
			return -EINVAL;
		if (exists(hv, d->id, dev))
			return -EEXIST;
	} else {
		for (dev = 0; dev < VIF_MAX && exists(hv, d->id, dev); dev++)
			;
		if (dev == VIF_MAX)
			return -ENOSPC;
	}
	memcpy(m, s->mac, 6);
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		random_mac(m);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	snprintf(dom, sizeof(dom), "%u", d->id);
	snprintf(id, sizeof(id), "%u", dev);
	front_path(front, sizeof(front), d->id, dev);
	back_path(back, sizeof(back), d->id, dev);
	/* The guest owns its end and dom0 reads it; dom0 owns the backend and the guest reads it. */
	snprintf(fperm, sizeof(fperm), "n%u,r0", d->id);
	snprintf(bperm, sizeof(bperm), "n0,r%u", d->id);
	{
		const char *const bkeys[][2] = {
			{"frontend", front}, {"frontend-id", dom}, {"online", "1"},
			{"script", "vif-bridge"}, {"mac", mac},
			{"bridge", s->bridge[0] ? s->bridge : VIF_DEFAULT_BRIDGE}, {"handle", id},
			{"type", "vif"}, {"state", "1"},
		};
		const char *const fkeys[][2] = {
			{"backend", back}, {"backend-id", "0"}, {"handle", id}, {"mac", mac},
			{"state", "1"},
		};

		/* The backend first: a frontend that appears finds its backend complete. The
		 * directories get their permissions before their keys, which inherit them. */
		if ((rc = xenstore__mkdir(hv->xs, back, bperm)) ||
		    (rc = write_keys(hv, back, bkeys, sizeof(bkeys) / sizeof(bkeys[0]))) ||
		    (rc = xenstore__mkdir(hv->xs, front, fperm)) ||
		    (rc = write_keys(hv, front, fkeys, sizeof(fkeys) / sizeof(fkeys[0])))) {
			xenstore__rm(hv->xs, front);
			xenstore__rm(hv->xs, back);
			return rc;
		}
	}
	pr_info("vmm", "domain %u (%s): vif%u.%u, mac %s, bridge %s", d->id, d->name, d->id, dev,
		mac, s->bridge[0] ? s->bridge : VIF_DEFAULT_BRIDGE);
	*devid = dev;
	return 0;
}

static void rm_both(struct hv *hv, unsigned dom, unsigned devid)
{
	char path[96];

	front_path(path, sizeof(path), dom, devid);
	xenstore__rm(hv->xs, path);
	back_path(path, sizeof(path), dom, devid);
	xenstore__rm(hv->xs, path);
	/* An empty backend/vif/<dom> goes with its last device. */
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", dom);
	{
		char probe[96];
		bool any = false;

		for (unsigned i = 0; i < VIF_MAX && !any; i++) {
			back_path(probe, sizeof(probe), dom, i);
			any = xenstore__read(hv->xs, probe, (char[8]){0}, 8) != -ENOENT;
		}
		if (!any)
			xenstore__rm(hv->xs, path);
	}
}

static void removal_end(struct vif_removal *r, bool unlink)
{
	struct hv *hv = r->hv;

	rm_both(hv, r->dom, r->devid);
	if (unlink)
		for (struct vif_removal **p = &hv->vif_removals; *p; p = &(*p)->next)
			if (*p == r) {
				*p = r->next;
				break;
			}
	if (r->done)
		r->done(r->opaque, r->token, 0);
	free(r);
}

static void removal_poll(void *opaque, uint32_t events)
{
	struct vif_removal *r = opaque;
	struct domain *d = hv__domain(r->hv, r->dom);
	char path[112], st[8] = "";

	r->timer = 0;
	back_path(path, sizeof(path), r->dom, r->devid);
	strcat(path, "/state");
	xenstore__read(r->hv->xs, path, st, sizeof(st));
	if (!d || d->gen != r->gen || !strcmp(st, "6") || ++r->polls * POLL_NS >=
	    VIF_REMOVE_TIMEOUT_MS * 1000000ull) {
		if (d && d->gen == r->gen && strcmp(st, "6"))
			pr_warn("vmm", "domain %u: vif%u.%u did not close in %u ms: removed", r->dom,
				r->dom, r->devid, VIF_REMOVE_TIMEOUT_MS);
		removal_end(r, true);
		return;
	}
	r->timer = vloop__timer(r->hv->loop, POLL_NS, removal_poll, r);
	if (r->timer < 0)
		removal_end(r, true);
}

int vif__remove(struct hv *hv, struct domain *d, unsigned devid, bool force,
		void (*done)(void *opaque, uint64_t token, int rc), void *opaque, uint64_t token)
{
	struct vif_removal *r;
	char path[112];

	if (devid >= VIF_MAX || !exists(hv, d->id, devid))
		return -ENOENT;
	for (r = hv->vif_removals; r; r = r->next)
		if (r->dom == d->id && r->devid == devid)
			return -EBUSY;
	if (!(r = calloc(1, sizeof(*r))))
		return -ENOMEM;
	*r = (struct vif_removal){.hv = hv, .dom = d->id, .gen = d->gen, .devid = devid,
				  .done = done, .opaque = opaque, .token = token};
	if (force || !hv->loop) {
		removal_end(r, false);
		return 0;
	}
	back_path(path, sizeof(path), d->id, devid);
	strcat(path, "/online");
	xenstore__write(hv->xs, path, "0", NULL);
	back_path(path, sizeof(path), d->id, devid);
	strcat(path, "/state");
	xenstore__write(hv->xs, path, "5", NULL);
	r->timer = vloop__timer(hv->loop, POLL_NS, removal_poll, r);
	if (r->timer < 0) {
		removal_end(r, false);
		return 0;
	}
	r->next = hv->vif_removals;
	hv->vif_removals = r;
	return 0;
}

void vif__release_domain(struct hv *hv, struct domain *d)
{
	for (unsigned i = 0; i < VIF_MAX; i++)
		if (exists(hv, d->id, i))
			rm_both(hv, d->id, i);
}

void vif__backend_gone(struct hv *hv)
{
	char path[112];

	for (unsigned dom = 1; dom < HV_MAX_DOMAINS; dom++)
		for (unsigned i = 0; i < VIF_MAX; i++) {
			back_path(path, sizeof(path), dom, i);
			if (xenstore__read(hv->xs, path, (char[8]){0}, 8) == -ENOENT)
				continue;
			strcat(path, "/state");
			xenstore__write(hv->xs, path, "6", NULL);
			back_path(path, sizeof(path), dom, i);
			strcat(path, "/hotplug-status");
			xenstore__rm(hv->xs, path);
		}
}

void vif__fini(struct hv *hv)
{
	while (hv->vif_removals) {
		struct vif_removal *r = hv->vif_removals;

		hv->vif_removals = r->next;
		if (r->timer > 0)
			vloop__cancel(hv->loop, r->timer);
		r->done = NULL;
		removal_end(r, false);
	}
}
