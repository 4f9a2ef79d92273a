/*
 * The PCI core of a domain: enumeration through config hypercalls, a driver registry matched by
 * vendor and device id, probe/remove, hot-plug from the machine's platform events, MSI-X through
 * the trapped table, and dom0's SR-IOV enable/disable sequence.
 */
#include <errno.h>
#include <json-c/json.h>
#include <linux/pci_regs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os_priv.h"
#include "pci_priv.h"
#include "vfnet/os.h"

static struct os_pci_dev *devices OS_SAVED;
static struct pci_driver *drivers OS_SAVED;

/* ---- config space ---- */

static int cfg_read_rid(uint16_t rid, unsigned off, unsigned size, uint32_t *val)
{
	struct vfnet_hc_cfg c = {.rid = rid, .off = (uint16_t)off, .size = (uint8_t)size};
	struct vfnet_hc_cfg_val v = {.val = ~0u};
	int rc = hc__call(VFNET_HC_CFG_READ, &c, sizeof(c), &v, sizeof(v), NULL, NULL, 0, NULL);

	*val = rc ? (size == 4 ? ~0u : (1u << (size * 8)) - 1) : v.val;
	return rc;
}

static int cfg_write_rid(uint16_t rid, unsigned off, unsigned size, uint32_t val)
{
	struct vfnet_hc_cfg c = {.rid = rid, .off = (uint16_t)off, .size = (uint8_t)size,
				 .val = val};

	return hc__call(VFNET_HC_CFG_WRITE, &c, sizeof(c), NULL, 0, NULL, NULL, 0, NULL);
}

int pci__cfg_read(struct pci_dev *dev, unsigned off, unsigned size, uint32_t *val)
{
	if (dev->gone) {
		*val = size == 4 ? ~0u : (1u << (size * 8)) - 1;
		return -ENODEV;
	}
	return cfg_read_rid(dev->rid, off, size, val);
}

int pci__cfg_write(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val)
{
	return dev->gone ? -ENODEV : cfg_write_rid(dev->rid, off, size, val);
}

unsigned pci__find_cap(struct pci_dev *dev, uint8_t id)
{
	uint32_t v, status;
	unsigned pos, n = 0;

	if (pci__cfg_read(dev, PCI_STATUS, 2, &status) || !(status & PCI_STATUS_CAP_LIST))
		return 0;
	pci__cfg_read(dev, PCI_CAPABILITY_LIST, 1, &v);
	for (pos = v & ~3u; pos >= 0x40 && n++ < 48; pos = (v >> 8) & 0xfc) {
		if (pci__cfg_read(dev, pos, 2, &v))
			return 0;
		if ((v & 0xff) == id)
			return pos;
	}
	return 0;
}

unsigned pci__find_ext_cap(struct pci_dev *dev, uint16_t id)
{
	unsigned pos = 0x100, n = 0;
	uint32_t v;

	while (pos >= 0x100 && pos < 4096 && n++ < 64) {
		if (pci__cfg_read(dev, pos, 4, &v) || v == 0 || v == ~0u)
			return 0;
		if ((v & 0xffff) == id)
			return pos;
		pos = (v >> 20) & 0xffc;
	}
	return 0;
}

int pci__set_master(struct pci_dev *dev, bool on)
{
	uint32_t cmd;
	int rc = pci__cfg_read(dev, PCI_COMMAND, 2, &cmd);

	if (rc)
		return rc;
	cmd = on ? cmd | PCI_COMMAND_MASTER : cmd & ~(uint32_t)PCI_COMMAND_MASTER;
	return pci__cfg_write(dev, PCI_COMMAND, 2, cmd);
}

/* ---- devices and drivers ---- */

struct pci_dev *pci__next(struct pci_dev *prev)
{
	struct os_pci_dev *d = prev ? to_os(prev)->next : devices;

	return d ? &d->pub : NULL;
}

struct pci_dev *pci__find(uint16_t rid)
{
	for (struct os_pci_dev *d = devices; d; d = d->next)
		if (d->pub.rid == rid)
			return &d->pub;
	return NULL;
}

static const struct pci_device_id *match(struct pci_driver *drv, struct pci_dev *dev)
{
	for (const struct pci_device_id *id = drv->id_table; id && (id->vendor || id->device); id++)
		if ((id->vendor == PCI_ANY_ID || id->vendor == dev->vendor) &&
		    (id->device == PCI_ANY_ID || id->device == dev->device))
			return id;
	return NULL;
}

/*
 * The driver the domain's configuration chose for @dev ("driver=SLOT NAME" lines, from a pci
 * entry's driver= at create), or NULL when it chose none. @name gets the chosen name.
 */
static bool chosen_driver(const struct pci_dev *dev, char *name, size_t len)
{
	const char *line;

	for (unsigned n = 0; (line = os__config_nth("driver", n)); n++) {
		size_t sl = strlen(dev->slot);

		if (strncmp(line, dev->slot, sl) || line[sl] != ' ')
			continue;
		snprintf(name, len, "%s", line + sl + 1);
		return true;
	}
	return false;
}

static bool try_probe(struct pci_driver *drv, struct pci_dev *dev, const struct pci_device_id *id)
{
	int rc;

	dev->driver = drv;
	rc = drv->probe(dev, id);
	if (!rc) {
		os__log("pci", "%s %04x:%04x: bound to %s", dev->slot, dev->vendor, dev->device,
			drv->name);
		return true;
	}
	dev->driver = NULL;
	os__log("pci", "%s: %s probe failed: %s", dev->slot, drv->name, strerror(-rc));
	return false;
}

static void probe(struct pci_dev *dev)
{
	static const struct pci_device_id any = {PCI_ANY_ID, PCI_ANY_ID};
	char want[32];

	if (dev->driver || dev->gone)
		return;
	if (chosen_driver(dev, want, sizeof(want))) {
		/* As Linux's driver_override: that driver only, whatever its id table says. */
		for (struct pci_driver *drv = drivers; drv; drv = drv->next) {
			const struct pci_device_id *id = match(drv, dev);

			if (!strcmp(drv->name, want)) {
				try_probe(drv, dev, id ? id : &any);
				return;
			}
		}
		os__log("pci", "%s: driver '%s' was chosen but is not built in: left unbound",
			dev->slot, want);
		return;
	}
	for (struct pci_driver *drv = drivers; drv; drv = drv->next) {
		const struct pci_device_id *id = match(drv, dev);

		if (id && try_probe(drv, dev, id))
			return;
	}
}

/* Drivers are tried in the order they were registered, as Linux's bus does. */
static void driver_append(struct pci_driver *drv)
{
	struct pci_driver **tail = &drivers;

	while (*tail)
		tail = &(*tail)->next;
	drv->next = NULL;
	*tail = drv;
}

int pci__register_driver(struct pci_driver *drv)
{
	driver_append(drv);
	for (struct os_pci_dev *d = devices; d; d = d->next)
		probe(&d->pub);
	return 0;
}

static void unbind(struct pci_dev *dev)
{
	if (!dev->driver)
		return;
	if (dev->driver->remove)
		dev->driver->remove(dev);
	os__log("pci", "%s: unbound from %s", dev->slot, dev->driver->name);
	dev->driver = NULL;
	dev->drvdata = NULL;
}

static struct os_pci_dev *dev_add(uint16_t rid, uint16_t vendor, uint16_t device)
{
	struct os_pci_dev *d = calloc(1, sizeof(*d)), **tail = &devices;
	uint32_t v;

	if (!d)
		return NULL;
	d->pub.rid = rid;
	d->pub.vendor = vendor;
	d->pub.device = device;
	snprintf(d->pub.slot, sizeof(d->pub.slot), "%02x:%02x.%x", rid >> 8, (rid >> 3) & 0x1f,
		 rid & 7);
	cfg_read_rid(rid, PCI_CLASS_REVISION, 4, &v);
	d->pub.revision = (uint8_t)v;
	d->pub.class = v >> 8;
	while (*tail)
		tail = &(*tail)->next;
	*tail = d;
	if ((d->msix_cap = pci__find_cap(&d->pub, PCI_CAP_ID_MSIX))) {
		pci__cfg_read(&d->pub, d->msix_cap + PCI_MSIX_FLAGS, 2, &v);
		d->msix_nr = (v & PCI_MSIX_FLAGS_QSIZE) + 1;
		pci__cfg_read(&d->pub, d->msix_cap + PCI_MSIX_TABLE, 4, &v);
		d->msix_bir = v & PCI_MSIX_TABLE_BIR;
		d->msix_table = v & PCI_MSIX_TABLE_OFFSET;
	}
	if (os.role == VFNET_ROLE_DOM0)
		d->sriov_cap = pci__find_ext_cap(&d->pub, PCI_EXT_CAP_ID_SRIOV);
	return d;
}

static void dev_del(struct os_pci_dev *d)
{
	for (struct os_pci_dev **p = &devices; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			break;
		}
	pci__bar_release_all(d);
	free(d);
}

static void dev_remove(struct os_pci_dev *d, bool gone)
{
	if (gone)
		d->pub.gone = true;
	unbind(&d->pub);
	os__log("pci", "%s: removed", d->pub.slot);
	dev_del(d);
}

/* ---- enumeration ---- */

static uint32_t sriov_rd_early(struct os_pci_dev *pf, unsigned reg)
{
	uint32_t v = 0;

	pci__cfg_read(&pf->pub, pf->sriov_cap + reg, 2, &v);
	return v;
}

static void scan_bus(unsigned bus, unsigned depth, struct os_pci_dev *parent);

/*
 * As Linux's pci_configure_ari: when a device below a PCI Express port has the ARI capability
 * and the port can forward ARI, turn ARI Forwarding on, so that function numbers above 7 (the
 * VFs) are routed; then the PFs' SR-IOV capabilities may use the ARI layout (sriov_init sets
 * ARI Capable Hierarchy when the bus is ARI-enabled).
 */
static void configure_ari(struct os_pci_dev *bridge)
{
	unsigned pcie = pci__find_cap(&bridge->pub, PCI_CAP_ID_EXP);
	uint32_t cap2, ctl2;
	bool any = false;

	for (struct os_pci_dev *d = devices; d; d = d->next)
		any |= d->parent == bridge && pci__find_ext_cap(&d->pub, PCI_EXT_CAP_ID_ARI);
	if (!any || !pcie || pci__cfg_read(&bridge->pub, pcie + PCI_EXP_DEVCAP2, 4, &cap2) ||
	    !(cap2 & PCI_EXP_DEVCAP2_ARI) ||
	    pci__cfg_read(&bridge->pub, pcie + PCI_EXP_DEVCTL2, 2, &ctl2))
		return;
	if (!(ctl2 & PCI_EXP_DEVCTL2_ARI)) {
		pci__cfg_write(&bridge->pub, pcie + PCI_EXP_DEVCTL2, 2, ctl2 | PCI_EXP_DEVCTL2_ARI);
		os__log("pci", "%s: ARI forwarding enabled", bridge->pub.slot);
	}
	for (struct os_pci_dev *d = devices; d; d = d->next) {
		uint32_t ctrl;

		if (d->parent != bridge || !d->sriov_cap)
			continue;
		ctrl = sriov_rd_early(d, PCI_SRIOV_CTRL);
		if (!(ctrl & (PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_ARI)))
			pci__cfg_write(&d->pub, d->sriov_cap + PCI_SRIOV_CTRL, 2,
				       ctrl | PCI_SRIOV_CTRL_ARI);
	}
}

static void scan_fn(uint16_t rid, unsigned depth, struct os_pci_dev *parent)
{
	uint32_t id, hdr, sec;
	struct os_pci_dev *d;

	if (cfg_read_rid(rid, PCI_VENDOR_ID, 4, &id) || (id & 0xffff) == 0xffff ||
	    pci__find(rid))
		return;
	if (!(d = dev_add(rid, (uint16_t)id, (uint16_t)(id >> 16))))
		return;
	d->parent = parent;
	os__log("pci", "%s [%06x] %04x:%04x", d->pub.slot, d->pub.class, d->pub.vendor,
		d->pub.device);
	cfg_read_rid(rid, PCI_HEADER_TYPE, 1, &hdr);
	if ((hdr & 0x7f) == PCI_HEADER_TYPE_BRIDGE && depth < 4) {
		cfg_read_rid(rid, PCI_SECONDARY_BUS, 1, &sec);
		if (sec > (unsigned)(rid >> 8)) {
			scan_bus(sec, depth + 1, d);
			if (os.role == VFNET_ROLE_DOM0)
				configure_ari(d);
		}
	}
}

static void scan_bus(unsigned bus, unsigned depth, struct os_pci_dev *parent)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		uint32_t id, hdr;
		uint16_t rid = (uint16_t)(bus << 8 | dev << 3);

		if (cfg_read_rid(rid, PCI_VENDOR_ID, 2, &id) || id == 0xffff)
			continue;
		cfg_read_rid(rid, PCI_HEADER_TYPE, 1, &hdr);
		for (unsigned fn = 0; fn < ((hdr & 0x80) ? 8u : 1u); fn++)
			scan_fn((uint16_t)(rid | fn), depth, parent);
	}
}

static void sriov_adopt(struct os_pci_dev *pf);

void pci__scan(void)
{
	scan_bus(0, 0, NULL);
	if (os.role != VFNET_ROLE_DOM0)
		return;
	/* A restarted dom0 finds VFs already enabled: take them over. */
	for (struct os_pci_dev *d = devices; d; d = d->next)
		if (d->sriov_cap && !d->pub.is_virtfn)
			sriov_adopt(d);
}

/* ---- hot-plug ---- */

static struct os_pci_dev *vf_of_rid(uint16_t rid, unsigned *index);
static struct os_pci_dev *vf_add(struct os_pci_dev *pf, unsigned i);

void pci__event(void)
{
	struct vfnet_hc_event ev;

	for (unsigned n = 0; n < 64; n++) {
		if (hc__call(VFNET_HC_EVENT_POP, NULL, 0, &ev, sizeof(ev), NULL, NULL, 0, NULL) ||
		    ev.type == VFNET_EV_NONE)
			return;
		if (ev.type >= VFNET_EV_MIGRATE_START && ev.type <= VFNET_EV_MIGRATE_END) {
			migrate__event(ev.type);
			continue;
		}
		struct pci_dev *dev = pci__find(ev.rid);

		if (ev.type == VFNET_EV_PCI_REMOVE && dev) {
			struct os_pci_dev *pf = to_os(dev)->pub.physfn ?
							to_os(dev->physfn) : NULL;

			struct vfnet_hc_func_q q = {.rid = ev.rid};

			/* The device still works unless the machine took it by force: the driver
			 * quiesces it, then the machine may reset it. */
			os__log("pci", "%s: hot-unplug", dev->slot);
			if (pf)
				pf->vf[dev->vf_index] = NULL;
			dev_remove(to_os(dev), false);
			hc__call(VFNET_HC_PCI_RELEASED, &q, sizeof(q), NULL, 0, NULL, NULL, 0, NULL);
		} else if (ev.type == VFNET_EV_PCI_ADD && !dev) {
			unsigned i;
			struct os_pci_dev *pf = os.role == VFNET_ROLE_DOM0 ? vf_of_rid(ev.rid, &i)
									   : NULL;

			os__log("pci", "%04x: hot-plug", ev.rid);
			if (pf) {
				vf_add(pf, i); /* back from the pool: unbound, as after enable */
			} else {
				scan_fn(ev.rid, 0, NULL);
				if ((dev = pci__find(ev.rid)))
					probe(dev);
			}
		}
	}
}

/*
 * `vfnet lspci -k`: {"op":"pci-drivers"} -> {"devices":[{"slot", "driver"?, "modules":[...]}]},
 * the driver bound to each function this domain sees ("Kernel driver in use") and the drivers
 * that match its ids ("Kernel modules", what Linux finds in modules.alias).
 */
static int svc_pci_drivers(void *opaque, void *req, void *reply, char *err)
{
	struct json_object *arr = json_object_new_array();

	for (struct os_pci_dev *d = devices; d; d = d->next) {
		struct json_object *o = json_object_new_object(), *mods = json_object_new_array();

		json_object_object_add(o, "slot", json_object_new_string(d->pub.slot));
		if (d->pub.driver)
			json_object_object_add(o, "driver",
					       json_object_new_string(d->pub.driver->name));
		for (struct pci_driver *drv = drivers; drv; drv = drv->next)
			if (match(drv, &d->pub))
				json_object_array_add(mods, json_object_new_string(drv->name));
		json_object_object_add(o, "modules", mods);
		json_object_array_add(arr, o);
	}
	json_object_object_add(reply, "devices", arr);
	return 0;
}

int pci__init(void)
{
	for (struct pci_driver *const *d = os.builtin->drivers; d && *d; d++)
		driver_append(*d);
	return os__service("pci-drivers", svc_pci_drivers, NULL);
}

void pci__probe_all(void)
{
	for (struct os_pci_dev *d = devices; d; d = d->next)
		if (!d->pub.is_virtfn)
			probe(&d->pub);
}

void pci__fini(void)
{
	/* VFs before their PFs: the list is in scan order, so go from the end. */
	while (devices) {
		struct os_pci_dev *last = devices;

		while (last->next)
			last = last->next;
		dev_remove(last, false);
	}
}

/* ---- MSI-X ---- */

unsigned pci__msix_count(struct pci_dev *dev)
{
	return to_os(dev)->msix_nr;
}

static int msix_entry_write(struct os_pci_dev *d, unsigned entry, unsigned field, uint32_t v)
{
	struct pci_bar *b;
	int rc = 0;

	if (entry >= d->msix_nr)
		return -EINVAL;
	/* The table's BAR stays mapped once used (until the device goes): a mapping is a
	 * hypercall, and trapped accesses are counted against the domain. */
	if (!(b = d->msix_map) && !(b = d->msix_map = pci__iomap(&d->pub, d->msix_bir)))
		return -errno;
	pci__writel(b, d->msix_table + entry * PCI_MSIX_ENTRY_SIZE + field, v);
	return rc;
}

int pci__msix_set(struct pci_dev *dev, unsigned entry, int vector)
{
	struct os_pci_dev *d = to_os(dev);
	int rc;

	if (vector < VFNET_VEC_FIRST || vector > 255)
		return -EINVAL;
	if ((rc = msix_entry_write(d, entry, PCI_MSIX_ENTRY_VECTOR_CTRL, 1)) ||
	    (rc = msix_entry_write(d, entry, PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee00000u)) ||
	    (rc = msix_entry_write(d, entry, PCI_MSIX_ENTRY_UPPER_ADDR, 0)) ||
	    (rc = msix_entry_write(d, entry, PCI_MSIX_ENTRY_DATA, (uint32_t)vector)))
		return rc;
	return msix_entry_write(d, entry, PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
}

int pci__msix_mask(struct pci_dev *dev, unsigned entry, bool masked)
{
	return msix_entry_write(to_os(dev), entry, PCI_MSIX_ENTRY_VECTOR_CTRL, masked);
}

int pci__msix_enable(struct pci_dev *dev, bool on)
{
	struct os_pci_dev *d = to_os(dev);
	uint32_t v;
	int rc;

	if (!d->msix_cap)
		return -ENOTSUP;
	if ((rc = pci__cfg_read(dev, d->msix_cap + PCI_MSIX_FLAGS, 2, &v)))
		return rc;
	v &= ~(uint32_t)(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	if (on)
		v |= PCI_MSIX_FLAGS_ENABLE;
	return pci__cfg_write(dev, d->msix_cap + PCI_MSIX_FLAGS, 2, v);
}

/* ---- SR-IOV (dom0) ---- */

static uint32_t sriov_rd(struct os_pci_dev *pf, unsigned reg, unsigned size)
{
	uint32_t v = 0;

	pci__cfg_read(&pf->pub, pf->sriov_cap + reg, size, &v);
	return v;
}

unsigned pci__sriov_totalvfs(struct pci_dev *pf)
{
	struct os_pci_dev *d = to_os(pf);
	unsigned total;

	if (!d->sriov_cap)
		return 0;
	total = sriov_rd(d, PCI_SRIOV_TOTAL_VF, 2);
	return total > OS_MAX_VFS ? OS_MAX_VFS : total;
}

unsigned pci__sriov_numvfs(struct pci_dev *pf)
{
	return to_os(pf)->numvfs;
}

struct pci_dev *pci__vf(struct pci_dev *pf, unsigned vf)
{
	struct os_pci_dev *d = to_os(pf);

	return vf < OS_MAX_VFS && d->vf[vf] ? &d->vf[vf]->pub : NULL;
}

static uint16_t vf_rid(struct os_pci_dev *pf, unsigned i)
{
	return (uint16_t)(pf->pub.rid + sriov_rd(pf, PCI_SRIOV_VF_OFFSET, 2) +
			  i * sriov_rd(pf, PCI_SRIOV_VF_STRIDE, 2));
}

static struct os_pci_dev *vf_of_rid(uint16_t rid, unsigned *index)
{
	for (struct os_pci_dev *d = devices; d; d = d->next)
		for (unsigned i = 0; d->sriov_cap && i < d->numvfs; i++)
			if (vf_rid(d, i) == rid) {
				*index = i;
				return d;
			}
	return NULL;
}

static int vf_report(struct os_pci_dev *pf, unsigned i, uint16_t rid, bool add)
{
	struct vfnet_hc_vf v = {.pf_rid = pf->pub.rid, .vf_rid = rid, .index = (uint16_t)i,
				.add = add};

	return hc__call(VFNET_HC_VF_REPORT, &v, sizeof(v), NULL, 0, NULL, NULL, 0, NULL);
}

bool pci__vf_assigned(struct pci_dev *pf, unsigned vf, char *who, unsigned wholen)
{
	struct os_pci_dev *d = to_os(pf);
	struct vfnet_hc_func_q q;
	struct vfnet_hc_func_info info;

	if (!d->sriov_cap || vf >= d->numvfs)
		return false;
	q = (struct vfnet_hc_func_q){.rid = vf_rid(d, vf)};
	if (hc__call(VFNET_HC_FUNC_INFO, &q, sizeof(q), &info, sizeof(info), NULL, NULL, 0, NULL))
		return false;
	if (info.owner == 0 && !info.assignable)
		return false;
	if (who && wholen) {
		if (info.owner > 0)
			snprintf(who, wholen, "%.*s", VFNET_NAME_LEN, info.owner_name);
		else
			snprintf(who, wholen, "the assignable pool");
	}
	return true;
}

int pci__vf_policy_save(struct pci_dev *pf, unsigned vf, const struct pci_vf_policy *p)
{
	struct vfnet_hc_vf_policy q = {
	    .pf_rid = pf->rid,
	    .vf = (uint8_t)vf,
	    .write = 1,
	    .flags = (p->mac_set ? VFNET_POLICY_MAC : 0) |
		     (p->spoofchk ? VFNET_POLICY_SPOOFCHK : 0) |
		     (p->trusted ? VFNET_POLICY_TRUST : 0),
	    .vlan = p->vlan,
	    .qos = (uint8_t)p->qos,
	    .link_state = (uint8_t)p->link_state,
	    .max_tx_rate = p->max_tx_rate,
	    .min_tx_rate = p->min_tx_rate,
	};

	if (vf > UINT8_MAX || p->qos > UINT8_MAX || p->link_state > UINT8_MAX)
		return -EINVAL;
	if (p->mac_set)
		memcpy(q.mac, p->mac, sizeof(q.mac));
	return hc__call(VFNET_HC_VF_POLICY, &q, sizeof(q), NULL, 0, NULL, NULL, 0, NULL);
}

int pci__vf_policy_load(struct pci_dev *pf, unsigned vf, struct pci_vf_policy *p)
{
	struct vfnet_hc_vf_policy q = {.pf_rid = pf->rid, .vf = (uint8_t)vf}, r;
	size_t got = 0;
	int rc;

	if (vf > UINT8_MAX)
		return -EINVAL;
	rc = hc__call(VFNET_HC_VF_POLICY, &q, sizeof(q), &r, sizeof(r), &got, NULL, 0, NULL);
	if (rc)
		return rc;
	if (got != sizeof(r) || !(r.flags & VFNET_POLICY_KEPT))
		return -EIO;
	*p = (struct pci_vf_policy){
	    .mac_set = r.flags & VFNET_POLICY_MAC,
	    .vlan = r.vlan,
	    .qos = r.qos,
	    .spoofchk = r.flags & VFNET_POLICY_SPOOFCHK,
	    .trusted = r.flags & VFNET_POLICY_TRUST,
	    .link_state = r.link_state,
	    .max_tx_rate = r.max_tx_rate,
	    .min_tx_rate = r.min_tx_rate,
	};
	memcpy(p->mac, r.mac, sizeof(p->mac));
	return 0;
}

/* Add VF @i of @pf as a device and report it. */
static struct os_pci_dev *vf_add(struct os_pci_dev *pf, unsigned i)
{
	uint16_t rid = vf_rid(pf, i);
	struct os_pci_dev *vf = dev_add(rid, pf->pub.vendor,
					(uint16_t)sriov_rd(pf, PCI_SRIOV_VF_DID, 2));

	if (!vf)
		return NULL;
	vf->pub.is_virtfn = true;
	vf->pub.physfn = &pf->pub;
	vf->pub.vf_index = i;
	pf->vf[i] = vf;
	vf_report(pf, i, rid, true);
	return vf;
}

static void sriov_adopt(struct os_pci_dev *pf)
{
	unsigned n;

	if (!(sriov_rd(pf, PCI_SRIOV_CTRL, 2) & PCI_SRIOV_CTRL_VFE))
		return;
	n = sriov_rd(pf, PCI_SRIOV_NUM_VF, 2);
	pf->numvfs = n > OS_MAX_VFS ? OS_MAX_VFS : n;
	for (unsigned i = 0; i < pf->numvfs; i++) {
		struct pci_dev *dev = pci__find(vf_rid(pf, i));

		if (dev || pci__vf_assigned(&pf->pub, i, NULL, 0))
			continue; /* away in a guest or the pool: not ours now */
		vf_add(pf, i);
	}
}

int pci__enable_sriov(struct pci_dev *pfdev, unsigned num_vfs)
{
	struct os_pci_dev *pf = to_os(pfdev);
	uint32_t ctrl;
	int rc;

	if (!pf->sriov_cap)
		return -ENODEV;
	if (pf->numvfs)
		return -EBUSY;
	if (!num_vfs || num_vfs > pci__sriov_totalvfs(pfdev))
		return -ERANGE;
	if ((rc = pci__cfg_write(pfdev, pf->sriov_cap + PCI_SRIOV_NUM_VF, 2, num_vfs)))
		return rc;
	ctrl = sriov_rd(pf, PCI_SRIOV_CTRL, 2);
	if ((rc = pci__cfg_write(pfdev, pf->sriov_cap + PCI_SRIOV_CTRL, 2,
				 ctrl | PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE)))
		return rc;
	/* SR-IOV 1.1 §3.3.3.1: VFs may take 100 ms to answer after VF Enable, as Linux waits. */
	os__msleep(100);
	pf->numvfs = num_vfs;
	/*
	 * The VFs appear unbound, as with sriov_drivers_autoprobe = 0, which is how a Xen driver
	 * domain keeps them for assignment. Binding the VF driver here would also deadlock a
	 * one-vCPU dom0: its reset handshake waits for the PF driver's mailbox reply, which only
	 * this vCPU could send.
	 */
	for (unsigned i = 0; i < num_vfs; i++) {
		struct os_pci_dev *vf = vf_add(pf, i);

		if (vf)
			os__log("pci", "%s: VF %u of %s", vf->pub.slot, i, pf->pub.slot);
	}
	return 0;
}

int pci__disable_sriov(struct pci_dev *pfdev, char *who, unsigned wholen)
{
	struct os_pci_dev *pf = to_os(pfdev);
	uint32_t ctrl;

	if (!pf->sriov_cap)
		return -ENODEV;
	for (unsigned i = 0; i < pf->numvfs; i++)
		if (pci__vf_assigned(pfdev, i, who, wholen))
			return -EBUSY;
	for (unsigned i = pf->numvfs; i-- > 0;) {
		struct os_pci_dev *vf = pf->vf[i];

		if (!vf)
			continue;
		pf->vf[i] = NULL;
		vf_report(pf, i, vf->pub.rid, false);
		dev_remove(vf, false);
	}
	ctrl = sriov_rd(pf, PCI_SRIOV_CTRL, 2);
	pci__cfg_write(pfdev, pf->sriov_cap + PCI_SRIOV_CTRL, 2,
		       ctrl & ~(uint32_t)(PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE));
	os__msleep(1);
	pci__cfg_write(pfdev, pf->sriov_cap + PCI_SRIOV_NUM_VF, 2, 0);
	pf->numvfs = 0;
	return 0;
}
