#include "vmm/passthrough.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hw/pci/sriov.h"
#include "hw/pci/topology.h"
#include "lib/compiler.h"
#include "lib/log.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/hypercall.h"
#include "vmm/loop.h"
#include "vmm/passthrough_priv.h"


static unsigned fidx(unsigned port, int vf)
{
	return port * (1 + E82576_MAX_VFS) + (unsigned)(vf + 1);
}

static struct hv_func *func_at(struct hv *hv, unsigned port, int vf)
{
	return &hv->funcs[fidx(port, vf)];
}

static struct pci_func *pf_of(struct hv *hv, const struct hv_func *f)
{
	return &hv->m->nicfn->pf[f->port];
}

/* ---- physical access from the control thread ---- */

static int phys_flr(struct hv *hv, struct hv_func *f)
{
	return machine__cfg_update(hv->m, f->rid, E82576_CAP_PCIE + PCI_EXP_DEVCTL, 2, 0,
				   PCI_EXP_DEVCTL_BCR_FLR);
}

/* ---- the table of functions ---- */

int passthrough__init(struct hv *hv)
{
	for (unsigned p = 0; p < E82576_PORTS; p++) {
		for (int vf = -1; vf < E82576_MAX_VFS; vf++) {
			struct hv_func *f = func_at(hv, p, vf);

			memset(f, 0, sizeof(*f));
			f->hv = hv;
			f->port = p;
			f->vf = vf;
			f->owner = vf < 0 ? 0 : HV_NO_OWNER;
			f->fn = vf < 0 ? &hv->m->nicfn->pf[p] : &hv->m->nicfn->vf[p][vf];
			f->present = f->fn->present;
			f->rid = f->fn->rid;
			f->msix_nr = vf < 0 ? E82576_PF_MSIX_VECTORS : E82576_VF_MSIX_VECTORS;
			for (unsigned i = 0; i < E82576_PF_MSIX_VECTORS; i++)
				f->msix[i] = (struct hv_msix_entry){.ctrl = 1, .irte = -1};
		}
	}
	return 0;
}

struct hv_func *passthrough__by_rid(struct hv *hv, uint16_t rid)
{
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++)
		if (hv->funcs[i].present && hv->funcs[i].rid == rid)
			return &hv->funcs[i];
	return NULL;
}

uint16_t passthrough__vrid(const struct hv_func *f)
{
	return PCI_RID(0, f->vslot << 3);
}

struct hv_func *passthrough__lookup(struct hv *hv, const struct domain *d, uint16_t rid)
{
	if (d->role == VFNET_ROLE_DOM0) {
		struct hv_func *f = passthrough__by_rid(hv, rid);

		return f && f->owner == 0 ? f : NULL;
	}
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		struct hv_func *f = &hv->funcs[i];

		if (f->present && f->owner == (int)d->id && passthrough__vrid(f) == rid)
			return f;
	}
	return NULL;
}

/* ---- BARs ---- */

static uint64_t bar_size(struct hv *hv, const struct hv_func *f, unsigned bar)
{
	if (f->vf >= 0)
		return pci_sriov__vf_bar_size(pf_of(hv, f), bar);
	return f->fn->bar[bar].kind == PCI_BAR_IO ? 0 : f->fn->bar[bar].size;
}

static void ring_stop(struct hv *hv, struct hv_func *f)
{
	if (!f->ring.active)
		return;
	e82576__ring_remove(hv->m->nic, &f->ring.cons);
	reqring__destroy(&f->ring.cons);
	memfd__destroy(&f->ring.mem);
	f->ring.active = false;
}

static int ring_start(struct hv *hv, struct hv_func *f)
{
	size_t sz = reqring__region_size(HV_RING_ENTRIES);
	int rc;

	if (f->ring.active && !reqring__is_broken(&f->ring.cons))
		return 0;
	ring_stop(hv, f); /* a broken ring is replaced by a fresh one */
	if ((rc = memfd__create(&f->ring.mem, "vfnet bar ring", sz)))
		return rc;
	if ((rc = reqring__init(&f->ring.cons, f->ring.mem.base, sz, HV_RING_ENTRIES,
				E82576_RING_SIZE)))
		goto err_mem;
	if ((rc = e82576__ring_add(hv->m->nic, f->fn, &f->ring.cons, 1u << 0)))
		goto err_ring;
	f->ring.active = true;
	return 0;
err_ring:
	reqring__destroy(&f->ring.cons);
err_mem:
	memfd__destroy(&f->ring.mem);
	return rc;
}

int passthrough__bar_map(struct hv *hv, struct domain *d, struct hv_func *f, unsigned bar,
			 struct hc_reply *rep)
{
	struct vfnet_hc_bar_map *map = (struct vfnet_hc_bar_map *)rep->data;
	uint64_t size = bar < PCI_NUM_BARS ? bar_size(hv, f, bar) : 0;
	int rc;

	if (!size || (bar != 0 && bar != 3))
		return -EINVAL;
	memset(map, 0, sizeof(*map));
	map->size = size;
	rep->hdr.len = sizeof(*map);
	if (bar == 3) {
		map->flags = VFNET_BAR_TRAPPED;
		return 0;
	}
	if ((rc = ring_start(hv, f)))
		return rc;
	map->flags = VFNET_BAR_DIRECT;
	map->ring_entries = HV_RING_ENTRIES;
	map->ring_bytes = f->ring.mem.size;
	map->ring_base = E82576_RING_OFFSET(0, 0);
	rep->fds[0] = f->ring.mem.fd;
	rep->fds[1] = reqring__doorbell_fd(&f->ring.cons);
	rep->hdr.nfds = 2;
	return 0;
}

int passthrough__mmio(struct hv *hv, struct domain *d, struct hv_func *f, unsigned bar,
		      uint32_t off, unsigned width, bool write, uint64_t *value)
{
	uint64_t size = bar < PCI_NUM_BARS ? bar_size(hv, f, bar) : 0;

	f->mmio_traps++;
	if (bar != 3 || (width != 4 && width != 8) || off % width || (uint64_t)off + width > size) {
		if (!write)
			*value = ~0ull;
		return -EINVAL;
	}
	return pt_msix__access(hv, f, off, width, write, value);
}

/* ---- config space ---- */

static bool vfs_in_use(struct hv *hv, unsigned port)
{
	for (int vf = 0; vf < E82576_MAX_VFS; vf++) {
		struct hv_func *f = func_at(hv, port, vf);

		if (f->present && (f->owner > 0 || f->assignable))
			return true;
	}
	return false;
}

static void release(struct hv *hv, struct hv_func *f, bool reset);

bool passthrough__cfg_is_flr(unsigned off, unsigned size, uint32_t val)
{
	unsigned b = E82576_CAP_PCIE + PCI_EXP_DEVCTL + 1; /* Initiate FLR is bit 15 */

	/* Any size but 1, 2 or 4 is refused by the write itself; it is never an FLR. */
	if (size != 1 && size != 2 && size != 4)
		return false;
	return b >= off && b < off + size && ((val >> 8 * (b - off)) & (PCI_EXP_DEVCTL_BCR_FLR >> 8));
}

/* VF Enable may have changed under a dom0 write to a PF: follow the bus. */
static void sync_vfs(struct hv *hv, unsigned port)
{
	for (int vf = 0; vf < E82576_MAX_VFS; vf++) {
		struct hv_func *f = func_at(hv, port, vf);

		if (f->present && !f->fn->present) {
			release(hv, f, false);
			context__block(&hv->ctx, f->rid, false);
			/* A VF that is gone takes its policy with it, as Linux's vf_data does. */
			f->policy_kept = false;
			f->present = f->reported = f->assignable = false;
			f->owner = HV_NO_OWNER;
		} else if (!f->present && f->fn->present) {
			f->present = true;
			f->rid = f->fn->rid;
			f->owner = 0;
			f->reported = false; /* its context stays blocked until dom0 reports it */
		}
	}
}

static int dom0_cfg_write(struct hv *hv, struct hv_func *f, uint16_t rid, unsigned off,
			  unsigned size, uint32_t val)
{
	int rc;

	if (f && f->owner != 0) {
		f->cfg_refused++;
		return -EPERM; /* it was given away */
	}
	if (f && f->vf < 0 && vfs_in_use(hv, f->port)) {
		/*
		 * A PF whose VFs are assigned or assignable keeps VF Enable and VF MSE (without
		 * MSE the guests' VFs stop decoding and their MSI-X entries could not be masked)
		 * and is not reset. Byte by byte, so that a 1-byte write to a register's high
		 * half is judged like any other.
		 */
		uint16_t cap = f->fn->sriov ? f->fn->sriov->cap : 0;
		uint32_t cur = 0;

		if ((rc = machine__cfg_read(hv->m, rid, off, size, &cur)))
			return rc;
		for (unsigned b = off; b < off + size; b++) {
			uint8_t nv = (uint8_t)(val >> 8 * (b - off)), ov = (uint8_t)(cur >> 8 * (b - off));
			bool clears_vf = cap && b == (unsigned)(cap + PCI_SRIOV_CTRL) &&
					 (ov & ~nv & (PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE));
			bool flr = b == E82576_CAP_PCIE + PCI_EXP_DEVCTL + 1 &&
				   (nv & (PCI_EXP_DEVCTL_BCR_FLR >> 8));

			if (clears_vf || flr) {
				f->cfg_refused++;
				return -EBUSY;
			}
		}
	}
	if (rid == MACHINE_ROOT_PORT_RID && off <= PCI_SUBORDINATE_BUS &&
	    off + size > PCI_PRIMARY_BUS) {
		/* Firmware numbered the buses; renumbering would cut the machine off its own VFs
		 * (their resets and MSI-X masking go by those numbers). */
		return -EPERM;
	}
	rc = machine__cfg_write(hv->m, rid, off, size, val);
	if (rc == -ENODEV)
		return 0; /* nobody there: the write goes nowhere */
	if (!rc && f && f->vf < 0)
		sync_vfs(hv, f->port);
	return rc;
}

int passthrough__cfg_read(struct hv *hv, struct domain *d, uint16_t rid, unsigned off,
			  unsigned size, uint32_t *val)
{
	struct hv_func *f;

	if ((size != 1 && size != 2 && size != 4) || off % size || off + size > PCI_CFG_SIZE)
		return -EINVAL;
	if (d->role == VFNET_ROLE_DOM0) {
		int rc = machine__cfg_read(hv->m, rid, off, size, val);

		return rc == -ENODEV ? 0 : rc; /* master abort: all ones, as the bus answers */
	}
	f = passthrough__lookup(hv, d, rid);
	if (!f) {
		*val = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
		return 0; /* nothing at that address on its bus: master abort */
	}
	return vpci__read(&f->vpci, off, size, val);
}

int passthrough__cfg_write(struct hv *hv, struct domain *d, uint16_t rid, unsigned off,
			   unsigned size, uint32_t val)
{
	struct hv_func *f;

	if ((size != 1 && size != 2 && size != 4) || off % size || off + size > PCI_CFG_SIZE)
		return -EINVAL;
	if (d->role == VFNET_ROLE_DOM0)
		return dom0_cfg_write(hv, passthrough__by_rid(hv, rid), rid, off, size, val);
	f = passthrough__lookup(hv, d, rid);
	if (!f)
		return 0; /* nothing there */
	return vpci__write(&f->vpci, off, size, val);
}

/* ---- ownership ---- */

/* Cut the owner off: ring, interrupts; with @reset also an FLR. */
static void release(struct hv *hv, struct hv_func *f, bool reset)
{
	ring_stop(hv, f);
	pt_msix__reset(hv, f);
	if (f->owner > 0)
		pt_msix__phys_control(hv, f, false, false);
	if (reset && f->present && phys_flr(hv, f)) {
		/* Not reset: it must not reach another owner with this one's state. */
		f->needs_flr = true;
		pr_warn("vmm", "%04x: function-level reset failed; retried before it is reused",
			f->rid);
	} else if (reset) {
		f->needs_flr = false;
	}
}

int passthrough__vf_report(struct hv *hv, uint16_t pf_rid, uint16_t vf_rid, unsigned index,
			   bool add)
{
	struct hv_func *pf = passthrough__by_rid(hv, pf_rid), *f;
	struct domain *dom0 = hv__domain(hv, 0);

	if (!pf || pf->vf >= 0 || index >= E82576_MAX_VFS)
		return -ENODEV;
	f = func_at(hv, pf->port, (int)index);
	if (!f->present || f->rid != vf_rid)
		return -ENODEV; /* not what the PF's SR-IOV capability says */
	if (!add) {
		if (f->owner != 0)
			return -EBUSY;
		release(hv, f, false);
		context__block(&hv->ctx, f->rid, false);
		f->reported = false;
		return 0;
	}
	if (f->owner != 0)
		return -EBUSY;
	if (!f->reported && dom0) {
		int rc = context__attach(&hv->ctx, f->rid, &dom0->dma);

		if (rc)
			return rc;
	}
	f->reported = true;
	return 0;
}

int passthrough__assignable(struct hv *hv, uint16_t rid, bool add)
{
	struct hv_func *f = passthrough__by_rid(hv, rid);
	struct domain *dom0 = hv__domain(hv, 0);
	int rc;

	if (!f)
		return -ENODEV;
	if (f->vf < 0)
		return -EPERM; /* the PF driver lives in dom0 */
	if (add) {
		if (f->assignable)
			return 0; /* as xl: already assignable is success */
		if (f->owner != 0)
			return -EBUSY;
		if (dom0)
			domain__event(dom0, VFNET_EV_PCI_REMOVE, f->rid);
		release(hv, f, true);
		if ((rc = context__block(&hv->ctx, f->rid, false)))
			return rc;
		f->owner = HV_NO_OWNER;
		f->assignable = true;
		return 0;
	}
	if (!f->assignable)
		return 0;
	if (f->owner != HV_NO_OWNER)
		return -EBUSY; /* attached to a guest */
	f->assignable = false;
	f->owner = 0;
	if (dom0 && f->reported) {
		if ((rc = context__attach(&hv->ctx, f->rid, &dom0->dma)))
			return rc;
		domain__event(dom0, VFNET_EV_PCI_ADD, f->rid);
	}
	return 0;
}

static uint32_t bar_flags(const struct pci_bar_info *b)
{
	if (b->kind == PCI_BAR_IO)
		return PCI_BASE_ADDRESS_SPACE_IO;
	return (b->kind == PCI_BAR_MEM64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0) |
	       (b->prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
}

static int vpci_phys_read(void *opaque, unsigned off, unsigned size, uint32_t *val)
{
	struct hv_func *f = opaque;

	return machine__cfg_read(f->hv->m, f->rid, off, size, val);
}

static int vpci_phys_write(void *opaque, unsigned off, unsigned size, uint32_t val)
{
	struct hv_func *f = opaque;

	return machine__cfg_write(f->hv->m, f->rid, off, size, val);
}

static const struct vpci_phys_ops vpci_phys = {
	.read = vpci_phys_read,
	.write = vpci_phys_write,
};

static const struct vpci_msix_ops vpci_msix = {
	.control = pt_msix__guest_control,
};

static int guest_view(struct hv *hv, struct hv_func *f)
{
	struct pci_func *pf = pf_of(hv, f);
	struct vpci_dev_config cfg = {0};
	uint32_t vendor, did;
	int rc;

	if ((rc = machine__cfg_read(hv->m, pf->rid, PCI_VENDOR_ID, 2, &vendor)) ||
	    (rc = machine__cfg_read(hv->m, pf->rid, pf->sriov->cap + PCI_SRIOV_VF_DID, 2, &did)))
		return rc;
	cfg.vendor = (uint16_t)vendor;
	cfg.device = (uint16_t)did;
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		const struct pci_bar_info *info = &pf->sriov->vf_bar[b];

		if (info->kind == PCI_BAR_NONE || info->kind == PCI_BAR_IO)
			continue;
		cfg.bar_size[b] = info->size;
		cfg.bar_flags[b] = bar_flags(info);
		cfg.bar_gpa[b] = HV_GUEST_BAR_BASE + ((uint64_t)f->vslot << 20) + ((uint64_t)b << 16);
	}
	return vpci__init(&f->vpci, &cfg, &vpci_phys, f, &vpci_msix, f);
}

int passthrough__attach(struct hv *hv, struct domain *d, uint16_t rid, unsigned vslot)
{
	struct hv_func *f = passthrough__by_rid(hv, rid);
	bool used[HV_GUEST_SLOTS] = {false};
	int rc;

	if (!f)
		return -ENODEV;
	if (d->role != VFNET_ROLE_GUEST || d->dying)
		return -EINVAL;
	if (!f->assignable)
		return f->owner > 0 ? -EBUSY : -EPERM; /* EPERM: dom0 still has it */
	if (f->owner != HV_NO_OWNER)
		return -EBUSY;
	if (f->needs_flr) {
		if (phys_flr(hv, f))
			return -EIO;
		f->needs_flr = false;
	}
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++)
		if (hv->funcs[i].present && hv->funcs[i].owner == (int)d->id)
			used[hv->funcs[i].vslot] = true;
	if (vslot) {
		if (vslot < 1 || vslot >= HV_GUEST_SLOTS)
			return -EINVAL;
		if (used[vslot])
			return -EEXIST;
	} else {
		for (vslot = HV_GUEST_SLOT0; vslot < HV_GUEST_SLOTS && used[vslot]; vslot++)
			;
		if (vslot == HV_GUEST_SLOTS)
			return -ENOSPC;
	}
	f->vslot = (uint8_t)vslot;
	if ((rc = guest_view(hv, f)))
		return rc;
	if ((rc = context__attach(&hv->ctx, f->rid, &d->dma)))
		return rc;
	f->owner = (int)d->id;
	domain__event(d, VFNET_EV_PCI_ADD, passthrough__vrid(f));
	pr_info("vmm", "%04x attached to domain %u at 00:%02x.0", f->rid, d->id, vslot);
	return 0;
}

/* Cut @f off from its guest @d and put it back in the pool; tell the guest when @notify. */
static void detach_now(struct hv *hv, struct domain *d, struct hv_func *f, bool notify)
{
	void (*done)(void *, uint64_t, int) = f->detach_done;
	void *opaque = f->detach_opaque;
	uint64_t token = f->detach_token;

	if (f->detaching && f->detach_timer > 0)
		vloop__cancel(hv->loop, f->detach_timer);
	f->detaching = false;
	f->detach_timer = 0;
	f->detach_done = NULL;
	release(hv, f, true);
	context__block(&hv->ctx, f->rid, false);
	f->owner = HV_NO_OWNER;
	f->assignable = true;
	if (notify && !d->dying)
		domain__event(d, VFNET_EV_PCI_REMOVE, passthrough__vrid(f));
	if (done)
		done(opaque, token, 0);
}

int passthrough__detach(struct hv *hv, struct domain *d, uint16_t rid)
{
	struct hv_func *f = passthrough__by_rid(hv, rid);

	if (!f || f->owner != (int)d->id || d->role != VFNET_ROLE_GUEST)
		return -ENODEV;
	/* Surprise removal, as `xl pci-detach -f`: the guest is told after it lost the device
	 * (unless a polite request already told it). */
	detach_now(hv, d, f, !f->detaching);
	return 0;
}

static void detach_timeout(void *opaque, uint32_t events)
{
	struct hv_func *f = opaque;
	struct domain *d = hv__domain(f->hv, (unsigned)f->owner);

	f->detach_timer = 0; /* fired: the loop has let go of it */
	if (!d || !f->detaching)
		return;
	pr_warn("vmm", "domain %u (%s) did not release %04x within %u ms: removed by force",
		d->id, d->name, f->rid, (unsigned)(HV_DETACH_TIMEOUT_NS / 1000000));
	detach_now(f->hv, d, f, false);
}

int passthrough__detach_request(struct hv *hv, struct domain *d, uint16_t rid,
				void (*done)(void *opaque, uint64_t token, int rc), void *opaque,
				uint64_t token)
{
	struct hv_func *f = passthrough__by_rid(hv, rid);
	int timer;

	if (!f || f->owner != (int)d->id || d->role != VFNET_ROLE_GUEST)
		return -ENODEV;
	if (f->detaching)
		return -EBUSY;
	/* A guest that cannot hear the request (not booted, dying, no loop to time it) loses the
	 * device at once. */
	if (d->dying || !d->ev_vector || !hv->loop) {
		detach_now(hv, d, f, true);
		return 0;
	}
	timer = vloop__timer(hv->loop, HV_DETACH_TIMEOUT_NS, detach_timeout, f);
	if (timer < 0) {
		detach_now(hv, d, f, true);
		return 0;
	}
	f->detaching = true;
	f->detach_timer = timer;
	f->detach_done = done;
	f->detach_opaque = opaque;
	f->detach_token = token;
	domain__event(d, VFNET_EV_PCI_REMOVE, passthrough__vrid(f));
	return 1;
}

int passthrough__released(struct hv *hv, struct domain *d, uint16_t rid)
{
	struct hv_func *f = passthrough__lookup(hv, d, rid);

	/* Only a release that was asked for ends anything; others are harmless. */
	if (f && f->detaching)
		detach_now(hv, d, f, false);
	return 0;
}

void passthrough__forget(struct hv *hv, void *opaque)
{
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++)
		if (hv->funcs[i].detach_done && hv->funcs[i].detach_opaque == opaque)
			hv->funcs[i].detach_done = NULL;
}

void passthrough__adopt(struct hv *hv, struct domain *dom0)
{
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		struct hv_func *f = &hv->funcs[i];

		if (!f->present || f->owner != 0)
			continue;
		if (f->vf < 0 || f->reported)
			context__attach(&hv->ctx, f->rid, &dom0->dma);
	}
}

void passthrough__release_domain(struct hv *hv, struct domain *d)
{
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		struct hv_func *f = &hv->funcs[i];

		if (!f->present || f->owner != (int)d->id)
			continue;
		if (d->role == VFNET_ROLE_GUEST) {
			passthrough__detach(hv, d, f->rid);
			continue;
		}
		/* dom0 goes; the devices stay as they are (guests keep running), but nothing
		 * of the old dom0 may reach its memory or get its interrupts. */
		release(hv, f, false);
		context__block(&hv->ctx, f->rid, true);
	}
}

void passthrough__fini(struct hv *hv)
{
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		ring_stop(hv, &hv->funcs[i]);
		pt_msix__reset(hv, &hv->funcs[i]);
	}
}
