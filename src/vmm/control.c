#include "vmm/control.h"
#include "vmm/control_priv.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/passthrough.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/iommu/vtd.h"
#include "hw/machine.h"
#include "hw/pci/dump.h"
#include "hw/pci/sriov.h"
#include "lib/compiler.h"

#define CONTROL_MAX_DEPTH 8  /* requests are flat objects: deeper nesting is refused early */

#define fail control__fail
#define add_u64 control__add_u64
#define add_str control__add_str

int control__fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, ERR_MAX, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Names a client chose are echoed in errors only when they cannot break the one-line rule. */
const char *control__shown(const char *s, size_t n)
{
	if (n == 0 || n > 32 || strlen(s) != n)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isprint((unsigned char)s[i]) || s[i] == '"')
			return NULL;
	return s;
}

void control__add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

void control__add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

/* Ids as lspci -n shows them: lower-case hex, @digits wide. */
static void add_hex(struct json_object *o, const char *key, int digits, unsigned v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%0*x", digits, v);
	add_str(o, key, buf);
}

/* ---- lspci ---- */

static int cfg_get(struct machine *m, uint16_t rid, unsigned off, unsigned size, uint32_t *v,
		   char *err)
{
	char bdf[8];
	int rc = machine__cfg_read(m, rid, off, size, v);

	if (rc)
		return fail(err, "config read of %s at 0x%x failed: %s", pci_rid__str(rid, bdf),
			    off, strerror(-rc));
	return 0;
}

/*
 * The function's BARs as its OS knows them (Linux's resource file): the machine's view of a VF
 * has them virtual, in its PF's VF BARs; a guest's (@emulated: the config space vPCI shows it)
 * has them where the guest's BAR registers put them, with the VF's sizes.
 */
static struct json_object *lspci_regions(const struct pci_func *f, const uint8_t *emulated)
{
	static const char *const kinds[] = {[PCI_BAR_MEM32] = "mem32", [PCI_BAR_MEM64] = "mem64",
					    [PCI_BAR_IO] = "io"};
	struct pci_region r[PCI_NUM_BARS];
	struct json_object *arr = json_object_new_array();
	unsigned n = pci_func__regions(f, r);

	for (unsigned i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		uint64_t base = r[i].base;

		if (emulated) {
			const uint8_t *bar = emulated + PCI_BASE_ADDRESS_0 + 4 * r[i].bar;

			base = le32_get(bar) & (r[i].kind == PCI_BAR_IO ? PCI_BASE_ADDRESS_IO_MASK
									: PCI_BASE_ADDRESS_MEM_MASK);
			if (r[i].kind == PCI_BAR_MEM64 && r[i].bar + 1 < PCI_NUM_BARS)
				base |= (uint64_t)le32_get(bar + 4) << 32;
		}
		add_u64(o, "bar", r[i].bar);
		add_str(o, "type", kinds[r[i].kind]);
		json_object_object_add(o, "prefetchable", json_object_new_boolean(r[i].prefetch));
		json_object_object_add(o, "virtual", json_object_new_boolean(r[i].virt && !emulated));
		add_u64(o, "base", base);
		add_u64(o, "size", r[i].size);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* @guest: the guest whose emulated view to show (f is then one of its functions). */
static int lspci_func(struct control *c, struct pci_func *f, unsigned nbytes,
		      struct json_object *out, char *err, struct domain *guest)
{
	uint8_t cfg[PCI_CFG_SIZE];
	unsigned want = MIN(MAX(nbytes, 64u), f->size);
	struct pci_ident id = {.rid = f->rid, .vendor = f->vendor, .name = f->name};
	struct hv_func *hf = guest ? passthrough__by_rid(c->hv, f->rid) : NULL;
	uint16_t rid = hf ? passthrough__vrid(hf) : f->rid;
	char bdf[8], *hex;
	uint32_t v;
	int rc;

	for (unsigned off = 0; off < want; off += 4) {
		if (hf)
			rc = passthrough__cfg_read(c->hv, guest, rid, off, 4, &v);
		else
			rc = cfg_get(c->m, f->rid, off, 4, &v, err);
		if (rc)
			return hf ? fail(err, "config read failed: %s", strerror(-rc)) : rc;
		le32_put(cfg + off, v);
	}
	id.class16 = le16_get(cfg + PCI_CLASS_DEVICE);
	id.rev = cfg[PCI_REVISION_ID];
	id.vendor_id = le16_get(cfg + PCI_VENDOR_ID);
	id.device_id = le16_get(cfg + PCI_DEVICE_ID);
	if (f->pf && f->pf->sriov && !hf) {
		/* A VF reads 0xFFFF; software names it by its PF's vendor and VF Device ID. */
		if ((rc = cfg_get(c->m, f->pf->rid, PCI_VENDOR_ID, 2, &v, err)))
			return rc;
		id.vendor_id = (uint16_t)v;
		if ((rc = cfg_get(c->m, f->pf->rid, f->pf->sriov->cap + PCI_SRIOV_VF_DID, 2, &v,
				  err)))
			return rc;
		id.device_id = (uint16_t)v;
	}
	add_str(out, "bdf", pci_rid__str(rid, bdf));
	add_hex(out, "class", 4, id.class16);
	add_hex(out, "vendor", 4, id.vendor_id);
	add_hex(out, "device", 4, id.device_id);
	add_hex(out, "revision", 2, id.rev);
	add_str(out, "class_name", pci_class__name(id.class16));
	if (f->vendor)
		add_str(out, "vendor_name", f->vendor);
	if (f->name)
		add_str(out, "device_name", f->name);
	add_hex(out, "progif", 2, cfg[PCI_CLASS_PROG]);
	if ((cfg[PCI_HEADER_TYPE] & 0x7f) == PCI_HEADER_TYPE_NORMAL) {
		add_hex(out, "subsystem_vendor", 4, le16_get(cfg + PCI_SUBSYSTEM_VENDOR_ID));
		add_hex(out, "subsystem_device", 4, le16_get(cfg + PCI_SUBSYSTEM_ID));
		if (f->subsys_name)
			add_str(out, "subsystem_name", f->subsys_name);
	}
	json_object_object_add(out, "regions", lspci_regions(f, hf ? cfg : NULL));
	if (nbytes) {
		unsigned n = MIN(nbytes, f->size);

		if (!(hex = malloc(2 * n + 1)))
			return fail(err, "out of memory");
		for (unsigned i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", cfg[i]);
		add_str(out, "config", hex);
		free(hex);
	}
	return 0;
}

static int op_lspci(struct control *c, struct json_object *req, struct json_object *reply,
		    char *err)
{
	struct pci_func *funcs[PCI_TOPO_MAX_FUNCS * (1 + E82576_MAX_VFS)];
	struct json_object *v, *arr;
	struct domain *guest = NULL;
	unsigned nbytes = 0, n;
	int rc;

	if (json_object_object_get_ex(req, "domain", &v)) {
		if (!c->hv)
			return fail(err, "this machine runs no hypervisor");
		if ((rc = control__get_domain(c, req, &guest, err)))
			return rc;
		if (guest->role != VFNET_ROLE_GUEST)
			guest = NULL; /* dom0's view is the physical one */
	}
	if (json_object_object_get_ex(req, "config", &v)) {
		int64_t x = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || (x != 64 && x != 256 && x != 4096))
			return fail(err, "\"config\" must be 64, 256 or 4096 (bytes)");
		nbytes = (unsigned)x;
	}
	/* Which VFs answer changes only through config writes, and those are made on this
	 * thread: the list cannot change while we read it. */
	n = pci_topo__list(&c->m->pci, funcs, ARRAY_SIZE(funcs));
	arr = json_object_new_array();
	json_object_object_add(reply, "functions", arr);
	for (unsigned i = 0; i < n; i++) {
		struct json_object *fo;
		struct hv_func *hf = guest ? passthrough__by_rid(c->hv, funcs[i]->rid) : NULL;

		/* A guest sees what it was given, on its own bus, in slot order. */
		if (guest && (!hf || hf->owner != (int)guest->id))
			continue;
		fo = json_object_new_object();
		json_object_array_add(arr, fo);
		if ((rc = lspci_func(c, funcs[i], nbytes, fo, err, guest)))
			return rc;
	}
	return 0;
}

/* ---- stats ---- */

static struct json_object *port_stats(struct machine *m, unsigned port)
{
	struct json_object *o = json_object_new_object(), *nic, *dp, *drops, *eng;
	struct e82576_port_stats ps;
	struct e82576_dp_stats ds;
	struct e82576_engine_stats es;

	e82576__port_stats(m->nic, port, &ps);
	e82576__dp_stats(m->nic, port, &ds);
	e82576__engine_stats(m->nic, port, &es);
	add_u64(o, "port", port);

	nic = json_object_new_object();
	add_u64(nic, "mmio_refused", ps.mmio_refused);
	add_u64(nic, "unknown_reads", ps.unknown_reads);
	add_u64(nic, "ignored_writes", ps.ignored_writes);
	add_u64(nic, "msi_sent", ps.msi_sent);
	add_u64(nic, "msi_pending", ps.msi_pending);
	json_object_object_add(o, "nic", nic);

	dp = json_object_new_object();
	add_u64(dp, "tx_frames", ds.tx_frames);
	add_u64(dp, "tx_bytes", ds.tx_bytes);
	add_u64(dp, "rx_frames", ds.rx_frames);
	add_u64(dp, "rx_bytes", ds.rx_bytes);
	add_u64(dp, "wire_tx", ds.wire_tx);
	add_u64(dp, "wire_rx", ds.wire_rx);
	add_u64(dp, "loopback", ds.loopback);
	add_u64(dp, "queue_errors", ds.queue_errors);
	add_u64(dp, "bad_tail", ds.bad_tail);
	drops = json_object_new_object();
	for (unsigned i = 0; i < E82576_DROP_NR; i++)
		add_u64(drops, e82576_drop__name(i), ds.drops[i]);
	json_object_object_add(dp, "drops", drops);
	json_object_object_add(o, "datapath", dp);

	eng = json_object_new_object();
	add_u64(eng, "loops", es.loops);
	add_u64(eng, "work", es.work);
	add_u64(eng, "sleeps", es.sleeps);
	add_u64(eng, "cpu_ns", es.cpu_ns);
	json_object_object_add(o, "engine", eng);
	return o;
}

static int op_stats(struct control *c, struct json_object *req, struct json_object *reply,
		    char *err)
{
	struct json_object *ports = json_object_new_array(), *io = json_object_new_object();
	struct iommu_stats is;

	for (unsigned p = 0; p < E82576_PORTS; p++)
		json_object_array_add(ports, port_stats(c->m, p));
	json_object_object_add(reply, "ports", ports);

	iommu__stats(c->m->iommu, &is);
	add_u64(io, "translations", is.translations);
	add_u64(io, "iotlb_hits", is.iotlb_hits);
	add_u64(io, "iotlb_misses", is.iotlb_misses);
	add_u64(io, "context_hits", is.context_hits);
	add_u64(io, "context_misses", is.context_misses);
	add_u64(io, "faults", is.faults);
	add_u64(io, "faults_suppressed", is.faults_suppressed);
	add_u64(io, "faults_lost", is.faults_lost);
	add_u64(io, "aborts", is.aborts);
	add_u64(io, "interrupts", is.interrupts);
	json_object_object_add(reply, "iommu", io);
	return 0;
}

/* ---- iommu-faults ---- */

static int op_iommu_faults(struct control *c, struct json_object *req, struct json_object *reply,
			   char *err)
{
	struct json_object *arr = json_object_new_array();
	struct iommu_fault rec;
	uint32_t fsts = iommu__fault_status(c->m->iommu);
	char bdf[8], addr[24];

	/* The log holds at most 256 records (CAP.NFR): the bound only guards against a unit
	 * that keeps recording while we pop. */
	for (unsigned i = 0; i < 256 && iommu__fault_pop(c->m->iommu, &rec) == 0; i++) {
		struct json_object *fo = json_object_new_object();
		bool intr = rec.reason >= VTD_FR_IR_REQ_RSVD;

		add_str(fo, "bdf", pci_rid__str(rec.sid, bdf));
		add_str(fo, "kind", intr ? "interrupt" : "dma");
		add_str(fo, "access", rec.write ? "write" : "read");
		if (intr) {
			add_u64(fo, "irte_index", rec.addr >> 48);
		} else {
			snprintf(addr, sizeof(addr), "0x%016llx", (unsigned long long)rec.addr);
			add_str(fo, "address", addr);
		}
		add_u64(fo, "reason", rec.reason);
		add_str(fo, "reason_text", iommu__fault_reason_str(rec.reason));
		json_object_array_add(arr, fo);
	}
	json_object_object_add(reply, "faults", arr);
	/* Records the unit could not log because the log was full: said once, then cleared. */
	json_object_object_add(reply, "overflow", json_object_new_boolean(fsts & DMA_FSTS_PFO));
	if (fsts & DMA_FSTS_PFO)
		iommu__fault_clear_status(c->m->iommu, DMA_FSTS_PFO);
	return 0;
}

/* ---- shutdown ---- */

static int op_shutdown(struct control *c, struct json_object *req, struct json_object *reply,
		       char *err)
{
	c->stopping = true;
	return 0;
}

static const char *const lspci_keys[] = {"config", "domain", NULL};
static const char *const no_keys[] = {NULL};

static const struct control_op ops[] = {
	{"lspci", lspci_keys, op_lspci},
	{"stats", no_keys, op_stats},
	{"iommu-faults", no_keys, op_iommu_faults},
	{"shutdown", no_keys, op_shutdown},
};

/* ---- one request ---- */

static struct json_object *parse(const char *req, size_t len, char *err)
{
	struct json_tokener *tok;
	struct json_object *obj = NULL;
	enum json_tokener_error jerr;
	size_t end, i;
	char *buf;

	if (len > CONTROL_MAX_REQUEST) {
		fail(err, "request longer than %d bytes", CONTROL_MAX_REQUEST);
		return NULL;
	}
	if (memchr(req, '\0', len)) {
		fail(err, "malformed JSON: NUL byte in the request");
		return NULL;
	}
	for (i = 0; i < len && isspace((unsigned char)req[i]); i++)
		;
	if (i == len) {
		fail(err, "empty request: send {\"op\": \"...\"}");
		return NULL;
	}
	/* With its terminating NUL the tokener knows where the text ends: "42" is a number, not
	 * the start of a longer one. */
	buf = malloc(len + 1);
	if (!buf || !(tok = json_tokener_new_ex(CONTROL_MAX_DEPTH))) {
		free(buf);
		fail(err, "out of memory");
		return NULL;
	}
	memcpy(buf, req, len);
	buf[len] = '\0';
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len + 1);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	free(buf);
	if (jerr == json_tokener_continue) {
		fail(err, "malformed JSON: the request ends inside a value");
		goto err;
	}
	if (jerr != json_tokener_success) {
		fail(err, "malformed JSON: %s", json_tokener_error_desc(jerr));
		goto err;
	}
	for (; end < len; end++) {
		if (!isspace((unsigned char)req[end])) {
			fail(err, "malformed JSON: text after the request object");
			goto err;
		}
	}
	if (!json_object_is_type(obj, json_type_object)) {
		fail(err, "a request is a JSON object: {\"op\": \"...\"}");
		goto err;
	}
	return obj;
err:
	json_object_put(obj);
	return NULL;
}

static bool takes(const struct control_op *op, const char *key)
{
	for (const char *const *k = op->keys; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

/* The operations that live in files of their own, each table ended by a NULL name. */
static const struct control_op *const more_ops[] = {
	control_domain_ops,
	control_top_ops,
	control_capture_ops,
	control_net_ops,
	control_migrate_ops,
	NULL,
};

static int dispatch(struct control *c, struct json_object *req, struct json_object *reply,
		    char *err)
{
	const struct control_op *op = NULL;
	struct json_object *v;
	const char *name, *show;

	if (!json_object_object_get_ex(req, "op", &v))
		return fail(err, "missing \"op\": a request is {\"op\": \"NAME\", ...}");
	if (!json_object_is_type(v, json_type_string))
		return fail(err, "\"op\" must be a string");
	name = json_object_get_string(v);
	show = control__shown(name, (size_t)json_object_get_string_len(v));
	for (unsigned i = 0; show && i < ARRAY_SIZE(ops); i++)
		if (!strcmp(ops[i].name, name))
			op = &ops[i];
	for (const struct control_op *const *t = more_ops; show && !op && *t; t++)
		for (const struct control_op *o = *t; !op && o->name; o++)
			if (!strcmp(o->name, name))
				op = o;
	if (!op)
		return fail(err, "unknown op%s%s%s (vfnet(1) lists the ops)", show ? " \"" : "",
			    show ? show : "", show ? "\"" : "");
	json_object_object_foreach(req, key, val) {
		(void)val;
		show = control__shown(key, strlen(key));
		if (strcmp(key, "op") && !takes(op, key))
			return fail(err, "op %s takes no key%s%s%s", op->name, show ? " \"" : "",
				    show ? show : "", show ? "\"" : " with that name");
	}
	return op->run(c, req, reply, err);
}

char *control__handle(struct control *c, const char *req, size_t len)
{
	struct json_object *obj, *reply = json_object_new_object();
	char err[ERR_MAX] = "";
	char *out;

	if (!reply)
		return NULL;
	json_object_object_add(reply, "ok", json_object_new_boolean(true));
	obj = parse(req, len, err);
	if (!obj || dispatch(c, obj, reply, err)) {
		json_object_put(reply);
		if (!(reply = json_object_new_object())) {
			json_object_put(obj);
			return NULL;
		}
		json_object_object_add(reply, "ok", json_object_new_boolean(false));
		add_str(reply, "error", err);
	}
	json_object_put(obj);
	out = strdup(json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(reply);
	return out;
}

bool control__stopping(const struct control *c)
{
	return c->stopping;
}

int control__create(struct control **out, struct machine *m)
{
	struct control *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->m = m;
	*out = c;
	return 0;
}

void control__set_hv(struct control *c, struct hv *hv)
{
	c->hv = hv;
}

void control__destroy(struct control *c)
{
	if (!c)
		return;
	/* Pending detaches must not call back into a freed server. */
	if (c->hv)
		passthrough__forget(c->hv, c);
	control_capture__fini(c);
	control_server__detach(c);
	free(c);
}

