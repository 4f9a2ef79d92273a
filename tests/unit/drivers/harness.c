#include "harness.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "hw/machine.h"
#include "hw/nic/nic.h"
#include "vfnet/abi.h"
#include "vfnet/dma.h"
#include "vfnet/irq.h"
#include "vfnet/os.h"

extern struct pci_driver mdd_driver, vdd_driver;

#define RAM_BASE     0x200000000ull /* machine address of the DMA region (translation off) */
#define RAM_SIZE     (128ull << 20)
#define PAGE	     4096ull
#define NVEC	     256
#define MAX_WORKS    256
#define LOG_LINES    1024
#define LOG_LEN	     240
#define HARNESS_TEST 0xffffu /* the test itself, in no domain */
#define T0_NS	     (10ull * 1000000000ull)

struct harness h;

/* ---- domains and the clock ---- */

static unsigned cur_dom = HARNESS_TEST;
static uint64_t clk = T0_NS;
static bool in_dom0_pump;

unsigned harness__enter(unsigned dom)
{
	unsigned prev = cur_dom;

	cur_dom = dom;
	return prev;
}

uint64_t harness__now(void)
{
	return clk;
}

static uint64_t nic_now(void)
{
	return clk;
}

/* ---- the log ---- */

static char log_lines[LOG_LINES][LOG_LEN];
static unsigned log_n;

void os__vlog(const char *tag, const char *fmt, va_list ap)
{
	char msg[LOG_LEN - 40];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_n < LOG_LINES)
		snprintf(log_lines[log_n++], LOG_LEN, "dom%u %s: %s", cur_dom, tag, msg);
	if (getenv("HARNESS_VERBOSE"))
		fprintf(stderr, "[%llu.%06llu] dom%u %s: %s\n", (unsigned long long)(clk / 1000000000),
			(unsigned long long)(clk % 1000000000 / 1000), cur_dom, tag, msg);
}

void os__log(const char *tag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	os__vlog(tag, fmt, ap);
	va_end(ap);
}

bool harness__log_has(const char *needle)
{
	for (unsigned i = 0; i < log_n; i++)
		if (strstr(log_lines[i], needle))
			return true;
	return false;
}

void harness__log_clear(void)
{
	log_n = 0;
}

/* ---- who we are ---- */

unsigned os__domid(void)
{
	return cur_dom;
}

bool os__is_dom0(void)
{
	return cur_dom == HARNESS_DOM0;
}

const char *os__name(void)
{
	return cur_dom == HARNESS_DOM0 ? "dom0" : "guest";
}

/* Guests' configuration (harness__set_guest_config): "key=value" lines; dom0 has none. */
static char guest_config[256];

void harness__set_guest_config(const char *cfg)
{
	snprintf(guest_config, sizeof(guest_config), "%s", cfg ? cfg : "");
}

const char *os__config_nth(const char *key, unsigned n)
{
	static char val[128];
	size_t klen = strlen(key);

	if (cur_dom == HARNESS_DOM0)
		return NULL;
	for (const char *p = guest_config; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=' && !n--) {
			snprintf(val, sizeof(val), "%.*s", (int)(len - klen - 1), p + klen + 1);
			return val;
		}
		p += len + (nl ? 1 : 0);
	}
	return NULL;
}

const char *os__config(const char *key)
{
	return os__config_nth(key, 0);
}

/* Services as os/service.c keeps them: a handler per op, called with json-c objects. */
static struct {
	const char *name;
	os_service_fn fn;
	void *opaque;
} services[16];
static unsigned nservices;

int os__service(const char *name, os_service_fn fn, void *opaque)
{
	for (unsigned i = 0; i < nservices; i++)
		if (!strcmp(services[i].name, name))
			return 0; /* registered by an earlier test's driver */
	if (nservices == sizeof(services) / sizeof(services[0]))
		return -ENOSPC;
	services[nservices].name = name;
	services[nservices].fn = fn;
	services[nservices++].opaque = opaque;
	return 0;
}

struct json_object *harness__request(const char *json)
{
	struct json_object *req = json_tokener_parse(json), *reply = json_object_new_object(), *op;
	char err[160] = "";
	int rc = -ENOSYS;
	unsigned prev = harness__enter(HARNESS_DOM0);

	assert_non_null(req);
	assert_true(json_object_object_get_ex(req, "op", &op));
	for (unsigned i = 0; i < nservices; i++)
		if (!strcmp(services[i].name, json_object_get_string(op)))
			rc = services[i].fn(services[i].opaque, req, reply, err);
	harness__enter(prev);
	json_object_object_add(reply, "ok", json_object_new_boolean(!rc));
	if (rc)
		json_object_object_add(reply, "error",
				       json_object_new_string(err[0] ? err : strerror(-rc)));
	json_object_put(req);
	return reply;
}

void os__shutdown(int status)
{
	fail_msg("os__shutdown(%d) from dom%u", status, cur_dom);
}

int os__watch_fd(int fd, uint32_t events, os_fd_fn fn, void *opaque)
{
	return -ENOSYS;
}

int os__watch_mod(int fd, uint32_t events)
{
	return -ENOSYS;
}

void os__unwatch_fd(int fd)
{
}

/* ---- interrupts ---- */

struct vec {
	irq_handler_t fn;
	void *opaque;
	unsigned dom;
	bool pending;
	uint64_t count;
};
static struct vec vecs[NVEC];

int irq__request(irq_handler_t handler, void *opaque)
{
	for (int v = VFNET_VEC_PLATFORM + 1; v < NVEC; v++)
		if (!vecs[v].fn) {
			vecs[v] = (struct vec){.fn = handler, .opaque = opaque, .dom = cur_dom};
			return v;
		}
	return -ENOSPC;
}

void irq__free(int vector)
{
	if (vector > 0 && vector < NVEC)
		vecs[vector] = (struct vec){0};
}

uint64_t irq__count(int vector)
{
	return vector > 0 && vector < NVEC ? vecs[vector].count : 0;
}

/* The machine's interrupt hook: remapping is off, so the MSI data is the vector. */
static void on_irq(void *opaque, uint16_t rid, const struct ir_target *t, bool notify)
{
	if (!vecs[t->vector].fn) {
		h.msi_stray++;
		return;
	}
	vecs[t->vector].pending = true;
	h.msi_delivered++;
}

static bool deliver_one(bool dom0_only)
{
	for (int v = 0; v < NVEC; v++) {
		struct vec *e = &vecs[v];
		unsigned prev;

		if (!e->pending || !e->fn || (dom0_only && e->dom != HARNESS_DOM0))
			continue;
		e->pending = false;
		e->count++;
		prev = harness__enter(e->dom);
		e->fn(v, e->opaque);
		harness__enter(prev);
		return true;
	}
	return false;
}

/* ---- deferred work ---- */

static struct {
	struct os_work *w;
	unsigned dom;
} works[MAX_WORKS];
static unsigned nworks;

void os__schedule(struct os_work *w)
{
	if (w->queued)
		return;
	assert_true(nworks < MAX_WORKS);
	w->queued = true;
	works[nworks].w = w;
	works[nworks++].dom = cur_dom;
}

static bool run_one_work(bool dom0_only)
{
	for (unsigned i = 0; i < nworks; i++) {
		struct os_work *w = works[i].w;
		unsigned dom = works[i].dom, prev;

		if (dom0_only && dom != HARNESS_DOM0)
			continue;
		memmove(&works[i], &works[i + 1], (nworks - i - 1) * sizeof(works[0]));
		nworks--;
		w->queued = false;
		prev = harness__enter(dom);
		w->fn(w);
		harness__enter(prev);
		return true;
	}
	return false;
}

/* dom0's vCPU: while a guest busy-waits, dom0 takes its interrupts and runs its works. */
static void pump_dom0(void)
{
	if (cur_dom == HARNESS_DOM0 || in_dom0_pump)
		return;
	in_dom0_pump = true;
	for (unsigned n = 0; n < 1000; n++)
		if (!deliver_one(true) && !run_one_work(true))
			break;
	in_dom0_pump = false;
}

uint64_t os__now_ns(void)
{
	clk += HARNESS_TICK_NS;
	pump_dom0();
	return clk;
}

/* Delays run on the fake clock; dom0's are counted (it must not wait on a guest's behalf). */
static void delay(uint64_t ns)
{
	if (cur_dom == HARNESS_DOM0) {
		h.dom0_delays++;
		h.dom0_delay_ns += ns;
	}
	clk += ns;
	pump_dom0();
}

void os__udelay(unsigned us)
{
	delay((uint64_t)us * 1000);
}

void os__msleep(unsigned ms)
{
	delay((uint64_t)ms * 1000000);
}

/* A driver that sleeps through libc (as igb's mailbox lock once did here) is caught too: this
 * definition takes the place of libc's in the test program. */
int usleep(useconds_t us)
{
	delay((uint64_t)us * 1000);
	return 0;
}

/* ---- timers ---- */

struct os_timer {
	os_timer_fn fn;
	void *opaque;
	unsigned dom;
	uint64_t due; /* 0: disarmed */
	struct os_timer *next;
};
static struct os_timer *timers;

struct os_timer *os__timer_create(os_timer_fn fn, void *opaque)
{
	struct os_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	*t = (struct os_timer){.fn = fn, .opaque = opaque, .dom = cur_dom, .next = timers};
	timers = t;
	return t;
}

void os__timer_arm(struct os_timer *t, uint64_t ns)
{
	t->due = ns ? clk + ns : 0;
}

void os__timer_destroy(struct os_timer *t)
{
	for (struct os_timer **p = &timers; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			free(t);
			return;
		}
}

static bool run_due_timer(void)
{
	for (struct os_timer *t = timers; t; t = t->next) {
		unsigned prev;

		if (!t->due || t->due > clk)
			continue;
		t->due = 0;
		prev = harness__enter(t->dom);
		t->fn(t->opaque);
		harness__enter(prev);
		return true; /* the list may have changed */
	}
	return false;
}

static uint64_t next_timer(void)
{
	uint64_t next = UINT64_MAX;

	for (struct os_timer *t = timers; t; t = t->next)
		if (t->due && t->due < next)
			next = t->due;
	return next;
}

/* ---- DMA: pages of one machine memory region, bus address = machine address ---- */

static uint8_t *ram;
static uint64_t ram_used;

void *dma__alloc(size_t size, uint64_t *bus)
{
	uint64_t len = (size + PAGE - 1) & ~(PAGE - 1);

	if (!size || len > RAM_SIZE - ram_used)
		return NULL;
	*bus = RAM_BASE + ram_used;
	ram_used += len;
	return ram + (*bus - RAM_BASE); /* never handed out before: still zero */
}

void dma__free(void *cpu, size_t size)
{
}

uint64_t dma__bus(const void *cpu)
{
	const uint8_t *p = cpu;

	return p >= ram && p < ram + RAM_SIZE ? RAM_BASE + (uint64_t)(p - ram) : 0;
}

void *dma__cpu(uint64_t bus, size_t len)
{
	if (bus < RAM_BASE || bus - RAM_BASE > RAM_SIZE || len > RAM_SIZE - (bus - RAM_BASE))
		return NULL;
	return ram + (bus - RAM_BASE);
}

size_t dma__free_bytes(void)
{
	return (size_t)(RAM_SIZE - ram_used);
}

/* ---- PCI ---- */

struct hdev {
	struct pci_dev pub;
	struct pci_func *fn;
	unsigned msix_cap, msix_nr, msix_bir, msix_table;
	unsigned sriov_cap, numvfs;
	struct hdev *vf[HARNESS_MAX_VFS];
};

struct pci_bar {
	struct hdev *d;
	unsigned bar;
};

static struct hdev pf0;

static struct hdev *to_h(struct pci_dev *dev)
{
	return (struct hdev *)((char *)dev - offsetof(struct hdev, pub));
}

int pci__register_driver(struct pci_driver *drv)
{
	return 0;
}

struct pci_dev *pci__next(struct pci_dev *prev)
{
	unsigned i = 0;

	if (!prev)
		return &pf0.pub;
	if (prev != &pf0.pub)
		i = prev->vf_index + 1;
	for (; i < HARNESS_MAX_VFS; i++)
		if (pf0.vf[i])
			return &pf0.vf[i]->pub;
	return NULL;
}

struct pci_dev *pci__find(uint16_t rid)
{
	for (struct pci_dev *d = pci__next(NULL); d; d = pci__next(d))
		if (d->rid == rid)
			return d;
	return NULL;
}

int pci__cfg_read(struct pci_dev *dev, unsigned off, unsigned size, uint32_t *val)
{
	if (dev->gone) {
		*val = size == 4 ? ~0u : (1u << (size * 8)) - 1;
		return -ENODEV;
	}
	return machine__cfg_read(h.m, dev->rid, off, size, val);
}

int pci__cfg_write(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val)
{
	return dev->gone ? -ENODEV : machine__cfg_write(h.m, dev->rid, off, size, val);
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

static void hdev_init(struct hdev *d, struct pci_func *fn)
{
	uint32_t v = 0;

	d->fn = fn;
	d->pub.rid = fn->rid;
	snprintf(d->pub.slot, sizeof(d->pub.slot), "%02x:%02x.%x", fn->rid >> 8,
		 (fn->rid >> 3) & 0x1f, fn->rid & 7);
	if ((d->msix_cap = pci__find_cap(&d->pub, PCI_CAP_ID_MSIX))) {
		pci__cfg_read(&d->pub, d->msix_cap + PCI_MSIX_FLAGS, 2, &v);
		d->msix_nr = (v & PCI_MSIX_FLAGS_QSIZE) + 1;
		pci__cfg_read(&d->pub, d->msix_cap + PCI_MSIX_TABLE, 4, &v);
		d->msix_bir = v & PCI_MSIX_TABLE_BIR;
		d->msix_table = v & PCI_MSIX_TABLE_OFFSET;
	}
	d->sriov_cap = pci__find_ext_cap(&d->pub, PCI_EXT_CAP_ID_SRIOV);
}

struct pci_bar *pci__iomap(struct pci_dev *dev, unsigned bar)
{
	struct pci_bar *b;
	uint32_t cmd;

	if (dev->gone) {
		errno = ENODEV;
		return NULL;
	}
	if (!dev->is_virtfn && !pci__cfg_read(dev, PCI_COMMAND, 2, &cmd))
		pci__cfg_write(dev, PCI_COMMAND, 2, cmd | PCI_COMMAND_MEMORY);
	b = calloc(1, sizeof(*b));
	if (!b) {
		errno = ENOMEM;
		return NULL;
	}
	b->d = to_h(dev);
	b->bar = bar;
	return b;
}

void pci__iounmap(struct pci_bar *bar)
{
	free(bar);
}

uint32_t pci__readl(struct pci_bar *bar, uint32_t off)
{
	uint64_t v = ~0ull;

	if (bar->d->pub.gone)
		return ~0u;
	e82576__mmio(h.m->nic, bar->d->fn, bar->bar, off, 4, false, &v);
	return (uint32_t)v;
}

void pci__writel(struct pci_bar *bar, uint32_t off, uint32_t val)
{
	uint64_t v = val;

	if (!bar->d->pub.gone)
		e82576__mmio(h.m->nic, bar->d->fn, bar->bar, off, 4, true, &v);
}

void pci__writel_post(struct pci_bar *bar, uint32_t off, uint32_t val)
{
	pci__writel(bar, off, val);
}

void pci__flush(struct pci_bar *bar)
{
}

unsigned pci__msix_count(struct pci_dev *dev)
{
	return to_h(dev)->msix_nr;
}

static int msix_write(struct hdev *d, unsigned entry, unsigned field, uint32_t v)
{
	uint64_t val = v;

	if (entry >= d->msix_nr)
		return -EINVAL;
	return e82576__mmio(h.m->nic, d->fn, d->msix_bir,
			    d->msix_table + entry * PCI_MSIX_ENTRY_SIZE + field, 4, true, &val);
}

int pci__msix_set(struct pci_dev *dev, unsigned entry, int vector)
{
	struct hdev *d = to_h(dev);
	int rc;

	if (vector < VFNET_VEC_FIRST || vector > 255)
		return -EINVAL;
	if ((rc = msix_write(d, entry, PCI_MSIX_ENTRY_VECTOR_CTRL, 1)) ||
	    (rc = msix_write(d, entry, PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee00000u)) ||
	    (rc = msix_write(d, entry, PCI_MSIX_ENTRY_UPPER_ADDR, 0)) ||
	    (rc = msix_write(d, entry, PCI_MSIX_ENTRY_DATA, (uint32_t)vector)))
		return rc;
	return msix_write(d, entry, PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
}

int pci__msix_mask(struct pci_dev *dev, unsigned entry, bool masked)
{
	return msix_write(to_h(dev), entry, PCI_MSIX_ENTRY_VECTOR_CTRL, masked);
}

int pci__msix_enable(struct pci_dev *dev, bool on)
{
	struct hdev *d = to_h(dev);
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

/* ---- SR-IOV, as the real runtime does it minus the hypervisor reports and the waits ---- */

static uint32_t sriov_rd(struct hdev *pf, unsigned reg, unsigned size)
{
	uint32_t v = 0;

	pci__cfg_read(&pf->pub, pf->sriov_cap + reg, size, &v);
	return v;
}

unsigned pci__sriov_totalvfs(struct pci_dev *pf)
{
	struct hdev *d = to_h(pf);
	unsigned total = d->sriov_cap ? sriov_rd(d, PCI_SRIOV_TOTAL_VF, 2) : 0;

	return total > HARNESS_MAX_VFS ? HARNESS_MAX_VFS : total;
}

unsigned pci__sriov_numvfs(struct pci_dev *pf)
{
	return to_h(pf)->numvfs;
}

struct pci_dev *pci__vf(struct pci_dev *pf, unsigned vf)
{
	struct hdev *d = to_h(pf);

	return vf < HARNESS_MAX_VFS && d->vf[vf] ? &d->vf[vf]->pub : NULL;
}

bool pci__vf_assigned(struct pci_dev *pf, unsigned vf, char *who, unsigned wholen)
{
	if (vf >= HARNESS_MAX_VFS || !h.vf_assigned[vf])
		return false;
	if (who && wholen)
		snprintf(who, wholen, "guest%u", vf + 1);
	return true;
}

int pci__vf_policy_save(struct pci_dev *pf, unsigned vf, const struct pci_vf_policy *p)
{
	if (vf >= HARNESS_MAX_VFS || !h.vf[vf])
		return -ENODEV;
	h.policy[vf] = *p;
	h.policy_kept[vf] = true;
	h.policy_saves++;
	return 0;
}

int pci__vf_policy_load(struct pci_dev *pf, unsigned vf, struct pci_vf_policy *p)
{
	if (vf >= HARNESS_MAX_VFS || !h.vf[vf])
		return -ENODEV;
	if (!h.policy_kept[vf])
		return -ENOENT;
	*p = h.policy[vf];
	return 0;
}

int pci__enable_sriov(struct pci_dev *pfdev, unsigned num_vfs)
{
	struct hdev *pf = to_h(pfdev);
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
	pf->numvfs = num_vfs;
	for (unsigned i = 0; i < num_vfs; i++) {
		struct hdev *vf = calloc(1, sizeof(*vf));
		uint16_t rid = (uint16_t)(pfdev->rid + sriov_rd(pf, PCI_SRIOV_VF_OFFSET, 2) +
					  i * sriov_rd(pf, PCI_SRIOV_VF_STRIDE, 2));

		assert_non_null(vf);
		assert_int_equal(h.m->nicfn->vf[0][i].rid, rid);
		vf->pub.vendor = pfdev->vendor;
		vf->pub.device = (uint16_t)sriov_rd(pf, PCI_SRIOV_VF_DID, 2);
		vf->pub.is_virtfn = true;
		vf->pub.physfn = pfdev;
		vf->pub.vf_index = i;
		hdev_init(vf, &h.m->nicfn->vf[0][i]);
		pf->vf[i] = vf;
		h.vf[i] = &vf->pub;
	}
	return 0;
}

static void vf_remove(unsigned i)
{
	struct hdev *vf = pf0.vf[i];
	unsigned prev;

	if (!vf)
		return;
	if (vf->pub.driver) {
		prev = harness__enter(h.vf_dom[i]);
		vf->pub.driver->remove(&vf->pub);
		harness__enter(prev);
		vf->pub.driver = NULL;
	}
	h.vf_dom[i] = 0;
	h.vf[i] = NULL;
	pf0.vf[i] = NULL;
	free(vf);
}

int pci__disable_sriov(struct pci_dev *pfdev, char *who, unsigned wholen)
{
	struct hdev *pf = to_h(pfdev);
	uint32_t ctrl;

	if (!pf->sriov_cap)
		return -ENODEV;
	for (unsigned i = 0; i < pf->numvfs; i++)
		if (pci__vf_assigned(pfdev, i, who, wholen))
			return -EBUSY;
	for (unsigned i = pf->numvfs; i-- > 0;) {
		vf_remove(i);
		h.policy_kept[i] = false; /* the machine forgets a VF that is gone */
	}
	ctrl = sriov_rd(pf, PCI_SRIOV_CTRL, 2);
	pci__cfg_write(pfdev, pf->sriov_cap + PCI_SRIOV_CTRL, 2,
		       ctrl & ~(uint32_t)(PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE));
	pci__cfg_write(pfdev, pf->sriov_cap + PCI_SRIOV_NUM_VF, 2, 0);
	pf->numvfs = 0;
	return 0;
}

/* ---- the tests' controls ---- */

int harness__sriov(int num_vfs)
{
	unsigned prev = harness__enter(HARNESS_DOM0);
	int rc = mdd_driver.sriov_configure(h.pf, num_vfs);

	harness__enter(prev);
	return rc;
}

int harness__bind_vf(unsigned vf, unsigned dom)
{
	static const struct pci_device_id id = {0x8086, 0x10CA};
	struct pci_dev *dev = vf < HARNESS_MAX_VFS ? h.vf[vf] : NULL;
	unsigned prev;
	int rc;

	if (!dev || dev->driver || dom == HARNESS_DOM0)
		return -EINVAL;
	if (dev->vendor != id.vendor || dev->device != id.device)
		return -ENODEV;
	prev = harness__enter(dom);
	rc = vdd_driver.probe(dev, &id);
	harness__enter(prev);
	if (!rc) {
		dev->driver = &vdd_driver;
		h.vf_dom[vf] = dom;
	}
	return rc;
}

void harness__unbind_vf(unsigned vf)
{
	struct pci_dev *dev = h.vf[vf];
	unsigned prev;

	if (!dev || !dev->driver)
		return;
	prev = harness__enter(h.vf_dom[vf]);
	dev->driver->remove(dev);
	harness__enter(prev);
	dev->driver = NULL;
	h.vf_dom[vf] = 0;
}

struct netdev *harness__vf_netdev(unsigned vf)
{
	struct pci_dev *dev = vf < HARNESS_MAX_VFS ? h.vf[vf] : NULL;

	/* the netdev whose priv is the driver's data: no knowledge of vdd's struct needed */
	if (!dev || !dev->driver)
		return NULL;
	for (struct netdev *nd = netdev__next(NULL); nd; nd = netdev__next(nd))
		if (nd->priv == dev->drvdata)
			return nd;
	return NULL;
}

uint32_t harness__pf_rd32(uint32_t off)
{
	return e82576__rd32(h.m->nic, machine__pf(h.m, 0), off);
}

bool harness__step(void)
{
	bool did = false;

	for (unsigned p = 0; p < E82576_PORTS; p++) {
		for (unsigned guard = 0; nic_dp__poll(&h.m->nic->port[p], 64); guard++) {
			assert_true(guard < 100000);
			did = true;
		}
		e82576__run_timers(h.m->nic, p);
	}
	for (unsigned n = 0; n < 100000; n++) {
		if (!deliver_one(false) && !run_one_work(false))
			break;
		did = true;
	}
	if (run_due_timer())
		did = true;
	return did;
}

bool harness__run_until(bool (*pred)(void *arg), void *arg, uint64_t max_ns)
{
	uint64_t end = clk + max_ns;

	for (;;) {
		bool did = harness__step();
		uint64_t next;

		if (pred && pred(arg))
			return true;
		if (clk >= end)
			return false;
		if (did) {
			clk += HARNESS_TICK_NS;
			continue;
		}
		/* idle: jump to whatever is due next (an OS timer, EITR, the datapath) */
		next = next_timer();
		for (unsigned p = 0; p < E82576_PORTS; p++) {
			uint64_t d = e82576__next_deadline(h.m->nic, p), e;

			e = nic_dp__next_deadline(&h.m->nic->port[p]);
			next = d < next ? d : next;
			next = e < next ? e : next;
		}
		if (next <= clk)
			next = clk + HARNESS_TICK_NS;
		clk = next < end ? next : end;
	}
}

void harness__advance(uint64_t ns)
{
	harness__run_until(NULL, NULL, ns);
}

int harness__dom0_restart(void)
{
	static const struct pci_device_id id = {0x8086, 0x10C9};
	bool assigned[HARNESS_MAX_VFS];
	unsigned prev = cur_dom, n = 0;
	int rc;

	memcpy(assigned, h.vf_assigned, sizeof(assigned));
	for (unsigned i = 0; i < HARNESS_MAX_VFS; i++)
		h.vf_assigned[i] = true; /* so the old mdd leaves SR-IOV on */
	cur_dom = HARNESS_DOM0;
	mdd_driver.remove(h.pf);
	h.pf->driver = NULL;
	/* What the old dom0 had queued dies with it (its adapter is freed). */
	for (unsigned i = 0; i < nworks; i++)
		if (works[i].dom != HARNESS_DOM0)
			works[n++] = works[i];
	nworks = n;
	memcpy(h.vf_assigned, assigned, sizeof(assigned));
	rc = mdd_driver.probe(h.pf, &id);
	if (!rc) {
		h.pf->driver = &mdd_driver;
		/* the new dom0's boot brings pf0 up again (os "auto") */
		h.pf_nd = netdev__get("pf0");
		rc = h.pf_nd ? netdev__open(h.pf_nd) : -ENODEV;
	}
	cur_dom = prev;
	return rc;
}

/* ---- setup and teardown ---- */

static bool pf_carrier(void *arg)
{
	return h.pf_nd->carrier;
}

int harness__setup(void **state)
{
	static const struct pci_device_id id = {0x8086, 0x10C9};
	const struct mem_region *r;
	uint32_t v;

	memset(&h, 0, sizeof(h));
	memset(vecs, 0, sizeof(vecs));
	memset(&pf0, 0, sizeof(pf0));
	nworks = 0;
	log_n = 0;
	clk = T0_NS;
	ram_used = 0;
	guest_config[0] = '\0';
	cur_dom = HARNESS_TEST;
	assert_int_equal(machine__create(&h.m, NULL), 0);
	h.m->nic->now_ns = nic_now; /* the NIC's EITR and rate limiters on the fake clock */
	machine__set_irq(h.m, on_irq, NULL);
	assert_int_equal(mem__add(&h.m->mem, "ram", RAM_BASE, RAM_SIZE, &r), 0);
	ram = r->host;

	assert_int_equal(machine__cfg_read(h.m, machine__pf(h.m, 0)->rid, PCI_VENDOR_ID, 4, &v), 0);
	pf0.pub.vendor = (uint16_t)v;
	pf0.pub.device = (uint16_t)(v >> 16);
	hdev_init(&pf0, machine__pf(h.m, 0));
	h.pf = &pf0.pub;
	cur_dom = HARNESS_DOM0;
	assert_int_equal(mdd_driver.probe(h.pf, &id), 0);
	h.pf->driver = &mdd_driver;
	/* dom0's boot brings the PF's interface up (os "auto"): its PHY powers up, link follows */
	h.pf_nd = netdev__get("pf0");
	assert_non_null(h.pf_nd);
	assert_int_equal(netdev__open(h.pf_nd), 0);
	cur_dom = HARNESS_TEST;
	assert_true(harness__run_until(pf_carrier, NULL, 100 * 1000000ull));
	return 0;
}

/* A failed assertion leaves the test's listeners (on its stack, now dead) behind. */
static void drop_listeners(void)
{
	for (struct netdev *nd = netdev__next(NULL); nd; nd = netdev__next(nd))
		nd->listeners = NULL;
}

int harness__teardown(void **state)
{
	cur_dom = HARNESS_TEST;
	in_dom0_pump = false;
	drop_listeners();
	for (unsigned i = 0; i < HARNESS_MAX_VFS; i++)
		h.vf_assigned[i] = false;
	/* Guests first (their works run once more to free vdd's private struct), then dom0. */
	for (unsigned i = 0; i < HARNESS_MAX_VFS; i++)
		harness__unbind_vf(i);
	while (run_one_work(false))
		;
	cur_dom = HARNESS_DOM0;
	mdd_driver.remove(h.pf);
	cur_dom = HARNESS_TEST;
	for (unsigned i = 0; i < HARNESS_MAX_VFS; i++)
		vf_remove(i);
	/* mdd's works cannot be cancelled: what is still queued belongs to a freed adapter. */
	nworks = 0;
	while (timers)
		os__timer_destroy(timers);
	machine__destroy(h.m);
	h.m = NULL;
	/* every driver unregistered its netdev (what is left would fail the next setup) */
	if (netdev__next(NULL)) {
		while (netdev__next(NULL))
			netdev__unregister(netdev__next(NULL));
		fail_msg("a netdev was left registered");
	}
	return 0;
}
