/*
 * The control operation behind `vfnet top`: one consistent reading of every counter a rate is
 * made of, taken on the control thread in one go, so that two readings a period apart give CPU
 * shares and packet rates over the same interval.
 *
 *   top   time_ns              CLOCK_MONOTONIC when the reading was taken
 *         hypervisor_cpu_ns    the control thread's CPU time: hypercalls (also charged to their
 *                              domains as hypervisor_ns), control requests, trapped accesses
 *         host_memory_bytes    the host's RAM (xentop's MEM(%) is of it)
 *         domains[]            id, name, role, state (r, b, c: xl's letters), cpu_ns (its
 *                              process), hypervisor_ns, memory_bytes, max_memory_bytes (the
 *                              same: vfnet guests do not balloon), vcpus, nets (a guest's VFs
 *                              and vifs, dom0's PF ports)
 *         ports[]              port, engine_cpu_ns (the NIC engine: what silicon does for free)
 *         vfs[]                each enabled VF: bdf, port, vf, domain (its owner's name, or
 *                              "pool" while assignable, "-" before dom0 reported it), domid
 *                              (with an owner), rx/tx packets and bytes, rx/tx drops, drops,
 *                              and of rx_drops those by VLAN filtering: rx_vlan_drops (tagged
 *                              with another VID), rx_untagged_drops (untagged to a port VLAN)
 *
 * Every counter only grows; a domain's counters start at zero with the domain, so a reader
 * matches domains by id and name across readings.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "hw/machine.h"
#include "hw/pci/topology.h"
#include "vmm/control_priv.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/passthrough.h"
#include "vmm/vif.h"

#define add_u64 control__add_u64
#define add_str control__add_str

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* What xentop calls a domain's networks: a guest's VFs and vifs, dom0's PF ports. */
static unsigned nets(struct hv *hv, const struct domain *d)
{
	unsigned ids[VIF_MAX], n = d->role == VFNET_ROLE_DOM0 ? 0 : vif__list(hv, d, ids);

	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		const struct hv_func *f = &hv->funcs[i];

		if (f->present && f->owner == (int)d->id &&
		    (d->role == VFNET_ROLE_DOM0 ? f->vf < 0 : f->vf >= 0))
			n++;
	}
	return n;
}

static void add_domain(struct json_object *arr, struct hv *hv, struct domain *d)
{
	struct json_object *o = json_object_new_object();
	char st[2] = {domain__state(d), '\0'};

	json_object_object_add(o, "id", json_object_new_int((int)d->id));
	add_str(o, "name", d->name);
	add_str(o, "role", d->role == VFNET_ROLE_DOM0 ? "dom0" : "guest");
	add_str(o, "state", st);
	add_u64(o, "cpu_ns", domain__cpu_ns(d));
	add_u64(o, "hypervisor_ns", d->hc_ns);
	add_u64(o, "memory_bytes", d->ram_bytes);
	add_u64(o, "max_memory_bytes", d->ram_bytes);
	add_u64(o, "vcpus", 1);
	add_u64(o, "nets", nets(hv, d));
	json_object_array_add(arr, o);
}

static void add_vf(struct json_object *arr, struct control *c, struct hv_func *f)
{
	struct json_object *o = json_object_new_object();
	struct domain *d = f->owner >= 0 ? hv__domain(c->hv, (unsigned)f->owner) : NULL;
	struct e82576_pool_stats ps;
	char bdf[8];

	/* VF n is pool n: its counters, not its mirrors, which a VF reset clears. */
	e82576__pool_stats(c->m->nic, f->port, (unsigned)f->vf, &ps);
	add_str(o, "bdf", pci_rid__str(f->rid, bdf));
	add_u64(o, "port", f->port);
	add_u64(o, "vf", (uint64_t)f->vf);
	if (d) {
		add_str(o, "domain", d->name);
		json_object_object_add(o, "domid", json_object_new_int((int)d->id));
	} else {
		add_str(o, "domain", f->assignable ? "pool" : "-");
	}
	add_u64(o, "rx_packets", ps.rx_frames);
	add_u64(o, "rx_bytes", ps.rx_bytes);
	add_u64(o, "tx_packets", ps.tx_frames);
	add_u64(o, "tx_bytes", ps.tx_bytes);
	add_u64(o, "rx_drops", ps.rx_drops);
	add_u64(o, "tx_drops", ps.tx_drops);
	add_u64(o, "drops", ps.rx_drops + ps.tx_drops);
	add_u64(o, "rx_vlan_drops", ps.rx_vlan);
	add_u64(o, "rx_untagged_drops", ps.rx_untagged);
	json_object_array_add(arr, o);
}

static int op_top(struct control *c, struct json_object *req, struct json_object *reply, char *err)
{
	struct json_object *doms, *ports, *vfs;

	if (!c->hv)
		return control__fail(err, "this machine runs no hypervisor");
	/* This runs on the control thread: its CPU time is the hypervisor's own. */
	add_u64(reply, "time_ns", clock_ns(CLOCK_MONOTONIC));
	add_u64(reply, "hypervisor_cpu_ns", clock_ns(CLOCK_THREAD_CPUTIME_ID));
	add_u64(reply, "host_memory_bytes",
		(uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE));

	doms = json_object_new_array();
	json_object_object_add(reply, "domains", doms);
	for (unsigned i = 0; i < HV_MAX_DOMAINS; i++)
		if (c->hv->dom[i] && !c->hv->dom[i]->dying)
			add_domain(doms, c->hv, c->hv->dom[i]);

	ports = json_object_new_array();
	json_object_object_add(reply, "ports", ports);
	for (unsigned p = 0; p < E82576_PORTS; p++) {
		struct json_object *o = json_object_new_object();
		struct e82576_engine_stats es;

		e82576__engine_stats(c->m->nic, p, &es);
		add_u64(o, "port", p);
		add_u64(o, "engine_cpu_ns", es.cpu_ns);
		json_object_array_add(ports, o);
	}

	/* VFs come and go only through config writes, made on this thread. */
	vfs = json_object_new_array();
	json_object_object_add(reply, "vfs", vfs);
	for (unsigned i = 0; i < HV_MAX_FUNCS; i++) {
		struct hv_func *f = &c->hv->funcs[i];

		if (f->present && f->vf >= 0)
			add_vf(vfs, c, f);
	}
	return 0;
}

static const char *const no_keys[] = {NULL};

const struct control_op control_top_ops[] = {
	{"top", no_keys, op_top},
	{NULL, NULL, NULL},
};
