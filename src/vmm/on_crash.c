/*
 * A guest whose process died by itself: xl.cfg's on_crash, done by the machine, which is the
 * toolstack here (xl's daemon does it on Xen).
 *
 *   destroy   the default: the domain goes and its functions go back to the pool
 *   restart   a new domain with the same name, memory and runtime configuration, and the same
 *             functions at the same virtual slots; not when the domain crashed less than
 *             ON_CRASH_MIN_UPTIME_NS after it started, so that a guest that dies at boot
 *             does not restart forever
 *   preserve  the domain stays in the list as crashed (xl's "c"), with its log and its name and
 *             id, until `destroy`; its process and functions go as with destroy
 *
 * A process that exited with status 0 shut down: it is destroyed, whatever on_crash says.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "lib/log.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/passthrough.h"
#include "vmm/vif.h"

#define ON_CRASH_MIN_UPTIME_NS 2000000000ull

/* How the process ended, without reaping it (domain__destroy does). */
static bool shut_down(struct domain *d, char *how, size_t len)
{
	siginfo_t si = {0};

	if (d->pid <= 0 || waitid(P_PID, d->pid, &si, WEXITED | WNOHANG | WNOWAIT) ||
	    si.si_pid != d->pid) {
		snprintf(how, len, "its hypervisor connection broke");
		return false;
	}
	if (si.si_code == CLD_EXITED) {
		snprintf(how, len, "exit status %d", si.si_status);
		return si.si_status == 0;
	}
	snprintf(how, len, "signal %d (%s)", si.si_status, strsignal(si.si_status));
	return false;
}

static uint64_t uptime_ns(const struct domain *d)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - d->started.tv_sec) * 1000000000ull +
	       (uint64_t)(now.tv_nsec - d->started.tv_nsec);
}

struct held {
	uint16_t rid;
	uint8_t vslot;
};

static bool restart(struct domain *d)
{
	struct hv *hv = d->hv;
	struct held held[HV_MAX_FUNCS];
	struct vif_spec vifs[VIF_MAX];
	unsigned ids[VIF_MAX], nvif;
	struct domain_config cfg = {.role = VFNET_ROLE_GUEST, .on_crash = d->on_crash};
	char name[VFNET_NAME_LEN], *config = strdup(d->config);
	unsigned n = 0, restarts = d->restarts + 1;
	struct domain *nd;
	int rc;

	if (!config)
		return false;
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		struct hv_func *f = &hv->funcs[i];

		if (f->present && f->owner == (int)d->id)
			held[n++] = (struct held){f->rid, f->vslot};
	}
	/* Its vifs come back with their addresses, as xl keeps a domain's configuration. */
	nvif = vif__list(hv, d, ids);
	for (unsigned i = 0; i < nvif; i++)
		if (vif__spec_of(hv, d, ids[i], &vifs[i]))
			nvif = i;
	snprintf(name, sizeof(name), "%s", d->name);
	cfg.name = name;
	cfg.mem_mib = (unsigned)(d->ram_bytes >> 20);
	cfg.config = config;
	domain__destroy(d); /* its functions go back to the pool, ready for the new one */
	if ((rc = domain__create(hv, &cfg, &nd))) {
		pr_warn("vmm", "domain %s: restart failed: %s", name, strerror(-rc));
		free(config);
		return true;
	}
	free(config);
	nd->restarts = restarts;
	for (unsigned i = 0; i < n; i++) {
		if ((rc = passthrough__attach(hv, nd, held[i].rid, held[i].vslot))) {
			pr_warn("vmm", "domain %s: restart: a function cannot come back: %s", name,
				strerror(-rc));
			domain__destroy(nd);
			return true;
		}
	}
	for (unsigned i = 0; i < nvif; i++) {
		unsigned devid;

		if ((rc = vif__add(hv, nd, &vifs[i], &devid)))
			pr_warn("vmm", "domain %s: restart: vif %u cannot come back: %s", name,
				ids[i], strerror(-rc));
	}
	if ((rc = domain__spawn(nd))) {
		pr_warn("vmm", "domain %s: restart failed: %s", name, strerror(-rc));
		domain__destroy(nd);
		return true;
	}
	pr_info("vmm", "domain %s restarted as domain %u (restart %u)", name, nd->id, restarts);
	return true;
}

bool domain__crashed(struct domain *d)
{
	char how[64];
	uint64_t up = uptime_ns(d);

	if (shut_down(d, how, sizeof(how)))
		return false;
	pr_warn("vmm", "domain %u (%s) crashed: %s, after %.1f s", d->id, d->name, how,
		(double)up / 1e9);
	switch (d->on_crash) {
	case DOMAIN_CRASH_DESTROY:
		return false;
	case DOMAIN_CRASH_PRESERVE:
		domain__stop(d);
		pr_info("vmm", "domain %u (%s) preserved: `vfnet destroy %s` removes it", d->id,
			d->name, d->name);
		return true;
	case DOMAIN_CRASH_RESTART:
		if (up < ON_CRASH_MIN_UPTIME_NS) {
			pr_warn("vmm", "domain %s crashed %.1f s after it started: not restarted",
				d->name, (double)up / 1e9);
			return false;
		}
		return restart(d);
	}
	return false;
}
