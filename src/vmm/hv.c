#include "vmm/hv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "vmm/domain.h"
#include "vmm/passthrough.h"
#include "vmm/vif.h"
#include "vmm/xenstore.h"
#include "vmm/xs_domain.h"

/*
 * A remapped or posted interrupt leaves the IOMMU. This runs on the NIC engines: it finds the
 * domain's delivery slot by the descriptor's address (each domain's shared page is the first
 * page of its RAM window) and writes its eventfd when the IOMMU says a notification is due.
 */
static void hv_irq(void *opaque, uint16_t rid, const struct ir_target *t, bool notify)
{
	struct hv *hv = opaque;
	struct hv_irqdest *dest;
	uint64_t one = 1, slot;
	int fd;

	if (t->kind != IR_POSTED || t->pda < HV_DOM_RAM_BASE ||
	    (slot = (t->pda - HV_DOM_RAM_BASE) / HV_DOM_RAM_STRIDE) >= HV_MAX_DOMAINS) {
		__atomic_fetch_add(&hv->irqdest[0].spurious, 1, __ATOMIC_RELAXED);
		return;
	}
	dest = &hv->irqdest[slot];
	__atomic_fetch_add(&dest->interrupts, 1, __ATOMIC_RELAXED);
	if (!notify)
		return;
	fd = __atomic_load_n(&dest->notify_fd, __ATOMIC_ACQUIRE);
	if (fd < 0) {
		__atomic_fetch_add(&dest->spurious, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&dest->notifies, 1, __ATOMIC_RELAXED);
	if (write(fd, &one, sizeof(one)) < 0)
		(void)0; /* only a saturated counter fails, and that still wakes the domain */
}

static void noop(void *arg)
{
}

void hv__quiesce(struct hv *hv)
{
	for (unsigned p = 0; p < E82576_PORTS; p++)
		e82576__call(hv->m->nic, p, noop, NULL);
}

int hv__irte_alloc(struct hv *hv)
{
	for (unsigned i = 0; i < HV_IRT_ENTRIES; i++) {
		if (!(hv->irte_used[i / 8] & (1u << (i % 8)))) {
			hv->irte_used[i / 8] |= (uint8_t)(1u << (i % 8));
			return (int)i;
		}
	}
	return -ENOSPC;
}

void hv__irte_free(struct hv *hv, unsigned index)
{
	if (index < HV_IRT_ENTRIES)
		hv->irte_used[index / 8] &= (uint8_t)~(1u << (index % 8));
}

struct domain *hv__domain(struct hv *hv, unsigned domid)
{
	return domid < HV_MAX_DOMAINS ? hv->dom[domid] : NULL;
}

struct domain *hv__domain_by_name(struct hv *hv, const char *name)
{
	for (unsigned i = 0; i < HV_MAX_DOMAINS; i++)
		if (hv->dom[i] && !strcmp(hv->dom[i]->name, name))
			return hv->dom[i];
	return NULL;
}

static void *reaper(void *arg)
{
	int rfd = (int)(intptr_t)arg, fd;

	while (read(rfd, &fd, sizeof(fd)) == sizeof(fd))
		close(fd);
	close(rfd);
	return NULL;
}

void hv__reap_fd(struct hv *hv, int fd)
{
	if (hv->reaper_fd < 0 || write(hv->reaper_fd, &fd, sizeof(fd)) != sizeof(fd))
		hv->fds_leaked++; /* better kept open than a control thread stuck in close() */
}

static int reaper_start(struct hv *hv)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	if (pthread_create(&hv->reaper, NULL, reaper, (void *)(intptr_t)p[0])) {
		close(p[0]);
		close(p[1]);
		return -EAGAIN;
	}
	hv->reaper_fd = p[1];
	return 0;
}

int hv__create(struct hv **out, struct machine *m, struct vloop *loop, const char *exe)
{
	struct hv *hv = calloc(1, sizeof(*hv));
	int rc;

	if (!hv)
		return -ENOMEM;
	hv->m = m;
	hv->loop = loop;
	hv->exe = exe;
	hv->reaper_fd = -1;
	for (unsigned i = 0; i < HV_MAX_DOMAINS; i++)
		hv->irqdest[i].notify_fd = -1;
	hv->funcs = calloc(HV_MAX_FUNCS, sizeof(*hv->funcs));
	if (!hv->funcs) {
		rc = -ENOMEM;
		goto err;
	}
	/* DMA remapping on: every requester blocked until it is given to a domain. */
	if ((rc = context__init(&hv->ctx, &m->hv, m->iommu)))
		goto err;
	if ((rc = ir_table__init(&hv->irt, &m->hv, m->iommu, HV_IRT_ENTRIES, false)))
		goto err_ctx;
	if ((rc = passthrough__init(hv)))
		goto err_irt;
	if ((rc = xenstore__create(&hv->xs, xs_domain__notify, hv)))
		goto err_irt;
	if ((rc = xenstore__mkdir(hv->xs, "/local/domain", "n0")) ||
	    (rc = reaper_start(hv))) {
		xenstore__destroy(hv->xs);
		goto err_irt;
	}
	machine__set_irq(m, hv_irq, hv);
	*out = hv;
	return 0;
err_irt:
	ir_table__fini(&hv->irt);
err_ctx:
	context__fini(&hv->ctx);
err:
	free(hv->funcs);
	free(hv);
	return rc;
}

void hv__destroy(struct hv *hv)
{
	if (!hv)
		return;
	vif__fini(hv);
	/* Guests first, dom0 last: it owns the PFs that the guests' VFs depend on. */
	for (unsigned i = HV_MAX_DOMAINS; i-- > 0;)
		if (hv->dom[i])
			domain__destroy(hv->dom[i]);
	passthrough__fini(hv);
	machine__set_irq(hv->m, NULL, NULL);
	hv__quiesce(hv);
	ir_table__fini(&hv->irt);
	context__fini(&hv->ctx);
	xenstore__destroy(hv->xs);
	if (hv->reaper_fd >= 0) {
		close(hv->reaper_fd); /* the reaper drains the pipe, then sees EOF */
		pthread_join(hv->reaper, NULL);
	}
	free(hv->funcs);
	free(hv);
}
