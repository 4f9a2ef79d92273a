/*
 * Control operations on domains and devices: what xl does with a Xen host.
 *
 *   list                                   the domains: id, name, role, memory, CPU time, ...
 *   create   name, memory, [config], [pci], [vif], [on_crash]
 *                                          start a guest; pci: BDFs that must be assignable,
 *                                          or {"bdf": BDF, "driver": NAME} to choose the
 *                                          guest's driver for it (driver_override); vif:
 *                                          [{mac, bridge, devid}]; on_crash: destroy
 *                                          (default), restart, preserve
 *   destroy  domain                        kill a guest (its devices go back to the pool)
 *   dom0-restart                           kill dom0 and start a new one; guests keep running
 *   dmesg    domain                        the domain's log (with its name and id)
 *   connect  domain                        a socket to the domain's own services, passed with
 *                                          the reply (SCM_RIGHTS)
 *   pci-assignable-add|remove  bdf         take a VF from dom0 into the pool, or give it back
 *   pci-assignable-list                    the pool
 *   pci-attach  domain, bdf, [vslot]       hot-plug a VF from the pool into a running guest
 *   pci-detach  domain, bdf                hot-unplug it (reset, back to the pool)
 *   pci-list    domain                     what a guest has, with its virtual slots
 *
 * A domain is named by its name or its id (a string of digits or a number).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hw/pci/topology.h"
#include "vmm/control_priv.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/passthrough.h"
#include "vmm/vif.h"

#define fail control__fail

static int need_hv(struct control *c, char *err)
{
	return c->hv ? 0 : fail(err, "this machine runs no hypervisor");
}

int control__get_domain(struct control *c, struct json_object *req, struct domain **out,
			char *err)
{
	struct json_object *v;
	const char *s, *shown;
	char *end;
	unsigned long id;

	if (!json_object_object_get_ex(req, "domain", &v))
		return fail(err, "missing \"domain\": a name or an id");
	if (json_object_is_type(v, json_type_int)) {
		int64_t n = json_object_get_int64(v);

		*out = n >= 0 && n < HV_MAX_DOMAINS ? hv__domain(c->hv, (unsigned)n) : NULL;
		if (!*out)
			return fail(err, "no domain with id %lld", (long long)n);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return fail(err, "\"domain\" must be a name or an id");
	s = json_object_get_string(v);
	shown = control__shown(s, (size_t)json_object_get_string_len(v));
	errno = 0;
	id = strtoul(s, &end, 10);
	if (*s >= '0' && *s <= '9' && !*end && !errno)
		*out = id < HV_MAX_DOMAINS ? hv__domain(c->hv, (unsigned)id) : NULL;
	else
		*out = hv__domain_by_name(c->hv, s);
	if (!*out || (*out)->dying)
		return shown ? fail(err, "no domain '%s': `vfnet list` shows them", shown)
			     : fail(err, "no such domain: `vfnet list` shows them");
	return 0;
}

static int get_bdf(struct json_object *req, uint16_t *rid, char *err)
{
	struct json_object *v;
	const char *s, *shown;

	if (!json_object_object_get_ex(req, "bdf", &v) || !json_object_is_type(v, json_type_string))
		return fail(err, "missing \"bdf\": a PCI address such as 01:10.0");
	s = json_object_get_string(v);
	shown = control__shown(s, (size_t)json_object_get_string_len(v));
	if (pci_rid__parse(s, rid))
		return shown ? fail(err, "'%s' is not a PCI address ([0000:]BB:DD.F)", shown)
			     : fail(err, "not a PCI address ([0000:]BB:DD.F)");
	return 0;
}

static const char *bdf(uint16_t rid, char *buf)
{
	return pci_rid__str(rid, buf);
}

static const char *errno_msg(struct hv *hv, int rc, uint16_t rid, char *buf)
{
	struct domain *d;
	struct hv_func *f;
	char b[16];

	switch (rc) {
	case -ENODEV:
		snprintf(buf, ERR_MAX, "%s: no such function (is SR-IOV enabled? `vfnet lspci`)",
			 bdf(rid, b));
		break;
	case -EPERM:
		if ((f = passthrough__by_rid(hv, rid)) && f->vf < 0)
			snprintf(buf, ERR_MAX, "%s is a physical function: its driver stays in dom0; "
					       "assign one of its VFs", bdf(rid, b));
		else
			snprintf(buf, ERR_MAX, "%s: not assignable; run `vfnet pci-assignable-add %s`",
				 bdf(rid, b), bdf(rid, b));
		break;
	case -EBUSY:
		f = passthrough__by_rid(hv, rid);
		if (f && f->owner > 0 && (d = hv__domain(hv, (unsigned)f->owner)))
			snprintf(buf, ERR_MAX, "%s: in use by guest '%s' (id %u) at 00:%02x.0",
				 bdf(rid, b), d->name, d->id, f->vslot);
		else
			snprintf(buf, ERR_MAX, "%s: in use by a guest (`vfnet pci-list` shows where)",
				 bdf(rid, b));
		break;
	default:
		snprintf(buf, ERR_MAX, "%s: %s", bdf(rid, b), strerror(-rc));
	}
	return buf;
}

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void add_domain(struct json_object *arr, struct hv *hv, struct domain *d)
{
	struct json_object *o = json_object_new_object();
	struct timespec now;
	uint64_t cpu = domain__cpu_ns(d);

	clock_gettime(CLOCK_MONOTONIC, &now);
	json_object_object_add(o, "id", json_object_new_int((int)d->id));
	control__add_str(o, "name", d->name);
	control__add_str(o, "role", d->role == VFNET_ROLE_DOM0 ? "dom0" : "guest");
	control__add_u64(o, "memory_mib", d->ram_bytes >> 20);
	control__add_u64(o, "vcpus", 1);
	{
		char st[2] = {domain__state(d), '\0'};

		control__add_str(o, "state", st);
	}
	if (d->role == VFNET_ROLE_GUEST) {
		static const char *const acts[] = {"destroy", "restart", "preserve"};

		control__add_str(o, "on_crash", acts[d->on_crash]);
		control__add_u64(o, "restarts", d->restarts);
	}
	control__add_u64(o, "pid", (uint64_t)d->pid);
	control__add_u64(o, "cpu_ns", cpu);
	control__add_u64(o, "uptime_ns",
			 (uint64_t)(now.tv_sec - d->started.tv_sec) * 1000000000ull +
				 (uint64_t)(now.tv_nsec - d->started.tv_nsec));
	control__add_u64(o, "hypercalls", d->hypercalls);
	control__add_u64(o, "hypercall_errors", d->hc_errors);
	control__add_u64(o, "hypervisor_ns", d->hc_ns);
	/* trapped accesses: served, what they cost (an FLR counts more), and how many of them
	 * (and how long) waited for the guest's budget */
	control__add_u64(o, "traps", d->traps.served);
	control__add_u64(o, "trap_cost", d->traps.cost);
	control__add_u64(o, "traps_delayed", d->traps.delayed);
	control__add_u64(o, "trap_wait_ns",
			 d->traps.wait_ns + (d->traps.timer > 0 ? mono_now() - d->traps.paused_ns : 0));
	control__add_u64(o, "interrupts",
			 __atomic_load_n(&hv->irqdest[d->id].interrupts, __ATOMIC_RELAXED));
	control__add_u64(o, "notifications",
			 __atomic_load_n(&hv->irqdest[d->id].notifies, __ATOMIC_RELAXED));
	json_object_array_add(arr, o);
}

static int op_list(struct control *c, struct json_object *req, struct json_object *reply,
		   char *err)
{
	struct json_object *arr;

	if (need_hv(c, err))
		return -EINVAL;
	arr = json_object_new_array();
	for (unsigned i = 0; i < HV_MAX_DOMAINS; i++)
		if (c->hv->dom[i] && !c->hv->dom[i]->dying)
			add_domain(arr, c->hv, c->hv->dom[i]);
	json_object_object_add(reply, "domains", arr);
	return 0;
}

/* A pci entry given as {"bdf": BDF, "driver": NAME}: NAME as a guest's driver is named. */
static int pci_entry_driver(struct json_object *e, const char **driver, char *err)
{
	struct json_object *v;
	const char *s;

	json_object_object_foreach(e, key, val)
	{
		(void)val;
		if (strcmp(key, "bdf") && strcmp(key, "driver"))
			return fail(err, "a pci entry takes \"bdf\" and \"driver\", not \"%.32s\"",
				    key);
	}
	if (!json_object_object_get_ex(e, "driver", &v))
		return 0;
	s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	if (!*s || strlen(s) > 31 ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(s))
		return fail(err, "a pci entry's \"driver\" is a driver's name: [a-z0-9_-], 1..31");
	*driver = s;
	return 0;
}

static int op_create(struct control *c, struct json_object *req, struct json_object *reply,
		     char *err)
{
	struct json_object *v, *pci = NULL, *vifs;
	struct domain_config cfg = {.role = VFNET_ROLE_GUEST, .mem_mib = 64};
	struct domain *d;
	uint16_t rids[8];
	struct vif_spec vif[VIF_MAX];
	const char *drivers[8] = {NULL};
	size_t npci = 0, nvif = 0;
	int rc;

	if (need_hv(c, err))
		return -EINVAL;
	if (!json_object_object_get_ex(req, "name", &v) || !json_object_is_type(v, json_type_string))
		return fail(err, "missing \"name\"");
	cfg.name = json_object_get_string(v);
	if (json_object_object_get_ex(req, "memory", &v)) {
		int64_t mib = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || mib < 2 || mib > HV_MAX_RAM_MIB)
			return fail(err, "\"memory\" is MiB, 2..%u", HV_MAX_RAM_MIB);
		cfg.mem_mib = (unsigned)mib;
	}
	if (json_object_object_get_ex(req, "config", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    (size_t)json_object_get_string_len(v) >= DOMAIN_MAX_CONFIG ||
		    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
			return fail(err, "\"config\" must be a string under %d bytes",
				    DOMAIN_MAX_CONFIG);
		cfg.config = json_object_get_string(v);
	}
	if (json_object_object_get_ex(req, "on_crash", &v)) {
		const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v)
									: "";

		if (!strcmp(s, "destroy"))
			cfg.on_crash = DOMAIN_CRASH_DESTROY;
		else if (!strcmp(s, "restart"))
			cfg.on_crash = DOMAIN_CRASH_RESTART;
		else if (!strcmp(s, "preserve"))
			cfg.on_crash = DOMAIN_CRASH_PRESERVE;
		else
			return fail(err, "\"on_crash\" is destroy, restart or preserve");
	}
	if (json_object_object_get_ex(req, "pci", &pci)) {
		if (!json_object_is_type(pci, json_type_array) ||
		    (npci = json_object_array_length(pci)) > 8)
			return fail(err, "\"pci\" must be a list of at most 8 BDFs");
		for (size_t i = 0; i < npci; i++) {
			struct json_object *e = json_object_array_get_idx(pci, i), *b;
			struct hv_func *f;

			if (json_object_is_type(e, json_type_object)) {
				if (pci_entry_driver(e, &drivers[i], err))
					return -EINVAL;
				e = json_object_object_get_ex(e, "bdf", &b) ? b : NULL;
			}
			if (!json_object_is_type(e, json_type_string) ||
			    pci_rid__parse(json_object_get_string(e), &rids[i]))
				return fail(err, "pci entry %zu is not a PCI address", i + 1);
			f = passthrough__by_rid(c->hv, rids[i]);
			if (!f || !f->assignable || f->owner != HV_NO_OWNER) {
				/* errno_msg writes the message into err itself. */
				errno_msg(c->hv, !f ? -ENODEV : f->assignable ? -EBUSY : -EPERM,
					  rids[i], err);
				return -EINVAL;
			}
		}
	}
	if (json_object_object_get_ex(req, "vif", &vifs)) {
		if (!json_object_is_type(vifs, json_type_array) ||
		    (nvif = json_object_array_length(vifs)) > VIF_MAX)
			return fail(err, "\"vif\" must be a list of at most %d vifs", VIF_MAX);
		for (size_t i = 0; i < nvif; i++)
			if (control__vif_spec(json_object_array_get_idx(vifs, i), &vif[i], err))
				return -EINVAL;
	}
	if (!control__shown(cfg.name, strlen(cfg.name)))
		return fail(err, "bad name: use letters, digits, '_', '.', '-'");
	rc = domain__create(c->hv, &cfg, &d);
	if (rc == -EEXIST)
		return fail(err, "a domain called '%s' exists", cfg.name);
	if (rc == -EINVAL)
		return fail(err, "bad name '%s': letters, digits, '_', '.', '-', 1..31 characters",
			    cfg.name);
	if (rc)
		return fail(err, "cannot create '%s': %s", cfg.name, strerror(-rc));
	for (size_t i = 0; i < npci; i++) {
		char line[64];

		if ((rc = passthrough__attach(c->hv, d, rids[i], 0))) {
			errno_msg(c->hv, rc, rids[i], err);
			domain__destroy(d);
			return -EINVAL;
		}
		if (!drivers[i])
			continue;
		/* The guest's PCI core reads "driver=SLOT NAME" and binds NAME alone there. */
		snprintf(line, sizeof(line), "driver=00:%02x.0 %s\n",
			 passthrough__by_rid(c->hv, rids[i])->vslot, drivers[i]);
		if ((rc = domain__add_config(d, line))) {
			domain__destroy(d);
			return fail(err, "cannot create '%s': %s", cfg.name, strerror(-rc));
		}
	}
	for (size_t i = 0; i < nvif; i++) {
		unsigned devid;

		if ((rc = vif__add(c->hv, d, &vif[i], &devid))) {
			domain__destroy(d);
			return fail(err, "vif %zu of '%s': %s", i + 1, cfg.name,
				    rc == -EEXIST ? "that devid is taken" : strerror(-rc));
		}
	}
	if ((rc = domain__spawn(d))) {
		domain__destroy(d);
		return fail(err, "cannot start '%s': %s", cfg.name, strerror(-rc));
	}
	json_object_object_add(reply, "id", json_object_new_int((int)d->id));
	return 0;
}

static int op_destroy(struct control *c, struct json_object *req, struct json_object *reply,
		      char *err)
{
	struct domain *d;

	if (need_hv(c, err) || control__get_domain(c, req, &d, err))
		return -EINVAL;
	if (d->role == VFNET_ROLE_DOM0)
		return fail(err, "dom0 is not destroyed; `vfnet dom0 restart` restarts it");
	domain__destroy(d);
	return 0;
}

static int op_dom0_restart(struct control *c, struct json_object *req,
			   struct json_object *reply, char *err)
{
	struct domain_config cfg = {.name = "Domain-0", .role = VFNET_ROLE_DOM0};
	struct domain *d;
	int rc;

	if (need_hv(c, err))
		return -EINVAL;
	cfg.config = c->hv->dom0_config;
	d = hv__domain(c->hv, 0);
	cfg.mem_mib = d ? (unsigned)(d->ram_bytes >> 20) : 256;
	if (d)
		domain__destroy(d);
	if ((rc = domain__create(c->hv, &cfg, &d)) || (rc = domain__spawn(d)))
		return fail(err, "cannot start dom0: %s", strerror(-rc));
	passthrough__adopt(c->hv, d);
	return 0;
}

static int op_dmesg(struct control *c, struct json_object *req, struct json_object *reply,
		    char *err)
{
	struct domain *d;
	char *buf;
	size_t n;

	if (need_hv(c, err) || control__get_domain(c, req, &d, err))
		return -EINVAL;
	if (!(buf = malloc(DOMAIN_LOG_SIZE + 1)))
		return fail(err, "out of memory");
	n = domain__log_read(d, buf, DOMAIN_LOG_SIZE);
	control__add_str(reply, "domain", d->name);
	json_object_object_add(reply, "id", json_object_new_int((int)d->id));
	json_object_object_add(reply, "log", json_object_new_string_len(buf, (int)n));
	free(buf);
	return 0;
}

static int op_connect(struct control *c, struct json_object *req, struct json_object *reply,
		      char *err)
{
	struct domain *d;
	int sv[2], rc;

	if (need_hv(c, err) || control__get_domain(c, req, &d, err))
		return -EINVAL;
	if (d->crashed)
		return fail(err, "domain '%s' crashed and is kept for a look (`vfnet dmesg %s`; "
				 "`vfnet destroy %s` removes it)",
			    d->name, d->name, d->name);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return fail(err, "socketpair: %s", strerror(errno));
	rc = domain__connect(d, sv[1]);
	close(sv[1]);
	if (!rc)
		rc = control__pass_fd(c, sv[0]);
	close(sv[0]);
	if (rc)
		return fail(err, "cannot reach domain '%s': %s", d->name, strerror(-rc));
	return 0;
}

static int op_assignable(struct control *c, struct json_object *req, struct json_object *reply,
			 char *err, bool add)
{
	uint16_t rid;
	int rc;

	if (need_hv(c, err) || get_bdf(req, &rid, err))
		return -EINVAL;
	rc = passthrough__assignable(c->hv, rid, add);
	if (rc == -EPERM) {
		char b[16];

		return fail(err, "%s is a physical function: its driver stays in dom0",
			    bdf(rid, b));
	}
	if (rc)
		return errno_msg(c->hv, rc, rid, err), -EINVAL;
	return 0;
}

static int op_assignable_add(struct control *c, struct json_object *req,
			     struct json_object *reply, char *err)
{
	return op_assignable(c, req, reply, err, true);
}

static int op_assignable_remove(struct control *c, struct json_object *req,
				struct json_object *reply, char *err)
{
	return op_assignable(c, req, reply, err, false);
}

static void add_func(struct json_object *arr, struct hv *hv, struct hv_func *f)
{
	struct json_object *o = json_object_new_object();
	struct domain *d = f->owner > 0 ? hv__domain(hv, (unsigned)f->owner) : NULL;
	char b[16];

	control__add_str(o, "bdf", bdf(f->rid, b));
	control__add_u64(o, "port", f->port);
	control__add_u64(o, "vf", (uint64_t)f->vf);
	if (d) {
		control__add_str(o, "domain", d->name);
		control__add_u64(o, "domid", d->id);
		snprintf(b, sizeof(b), "00:%02x.0", f->vslot);
		control__add_str(o, "vslot", b);
	}
	json_object_array_add(arr, o);
}

static int op_assignable_list(struct control *c, struct json_object *req,
			      struct json_object *reply, char *err)
{
	struct json_object *arr;

	if (need_hv(c, err))
		return -EINVAL;
	arr = json_object_new_array();
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		struct hv_func *f = &c->hv->funcs[i];

		if (f->present && f->assignable)
			add_func(arr, c->hv, f);
	}
	json_object_object_add(reply, "devices", arr);
	return 0;
}

static int op_attach(struct control *c, struct json_object *req, struct json_object *reply,
		     char *err)
{
	struct json_object *v;
	struct domain *d;
	uint16_t rid;
	unsigned vslot = 0;
	int rc;

	if (need_hv(c, err) || control__get_domain(c, req, &d, err) || get_bdf(req, &rid, err))
		return -EINVAL;
	if (json_object_object_get_ex(req, "vslot", &v)) {
		int64_t s = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || s < 1 || s >= HV_GUEST_SLOTS)
			return fail(err, "\"vslot\" is a slot number, 1..%d", HV_GUEST_SLOTS - 1);
		vslot = (unsigned)s;
	}
	if (d->role != VFNET_ROLE_GUEST)
		return fail(err, "dom0 has its devices already");
	rc = passthrough__attach(c->hv, d, rid, vslot);
	if (rc == -EEXIST)
		return fail(err, "slot %u of '%s' is taken", vslot, d->name);
	if (rc)
		return errno_msg(c->hv, rc, rid, err), -EINVAL;
	return 0;
}

static int op_detach(struct control *c, struct json_object *req, struct json_object *reply,
		     char *err)
{
	struct domain *d;
	uint16_t rid;
	char b[16];

	struct json_object *v;
	bool force = false;
	uint64_t token;
	int rc;

	if (need_hv(c, err) || control__get_domain(c, req, &d, err) || get_bdf(req, &rid, err))
		return -EINVAL;
	if (json_object_object_get_ex(req, "force", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return fail(err, "\"force\" is true or false");
		force = json_object_get_boolean(v);
	}
	/* Politely, as xl pci-detach: the guest removes its driver first, then the machine
	 * resets the function; the reply waits for that (or for the timeout). */
	token = force ? 0 : control__defer(c);
	rc = token ? passthrough__detach_request(c->hv, d, rid, control__complete, c, token)
		   : passthrough__detach(c->hv, d, rid);
	if (rc < 0) {
		c->deferred = false;
		if (rc == -EBUSY)
			return fail(err, "%s is already being detached from '%s'", bdf(rid, b),
				    d->name);
		return fail(err, "%s is not attached to '%s'", bdf(rid, b), d->name);
	}
	if (rc == 0)
		c->deferred = false; /* done at once: answer now */
	return 0;
}

static int op_pci_list(struct control *c, struct json_object *req, struct json_object *reply,
		       char *err)
{
	struct json_object *arr;
	struct domain *d;

	if (need_hv(c, err) || control__get_domain(c, req, &d, err))
		return -EINVAL;
	arr = json_object_new_array();
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		struct hv_func *f = &c->hv->funcs[i];

		if (f->present && f->owner == (int)d->id && d->role == VFNET_ROLE_GUEST)
			add_func(arr, c->hv, f);
	}
	json_object_object_add(reply, "devices", arr);
	return 0;
}

static const char *const no_keys[] = {NULL};
static const char *const dom_keys[] = {"domain", NULL};
static const char *const bdf_keys[] = {"bdf", NULL};
static const char *const attach_keys[] = {"domain", "bdf", "vslot", NULL};
static const char *const detach_keys[] = {"domain", "bdf", "force", NULL};
static const char *const create_keys[] = {"name", "memory", "config", "pci", "vif",
					  "on_crash", NULL};

const struct control_op control_domain_ops[] = {
	{"list", no_keys, op_list},
	{"create", create_keys, op_create},
	{"destroy", dom_keys, op_destroy},
	{"dom0-restart", no_keys, op_dom0_restart},
	{"dmesg", dom_keys, op_dmesg},
	{"connect", dom_keys, op_connect},
	{"pci-assignable-add", bdf_keys, op_assignable_add},
	{"pci-assignable-remove", bdf_keys, op_assignable_remove},
	{"pci-assignable-list", no_keys, op_assignable_list},
	{"pci-attach", attach_keys, op_attach},
	{"pci-detach", detach_keys, op_detach},
	{"pci-list", dom_keys, op_pci_list},
	{NULL, NULL, NULL},
};
