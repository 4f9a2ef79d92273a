/*
 * The hypervisor with its machine, driven by hypercalls as bytes from two domain records (dom0
 * and a guest, no processes): SR-IOV enable by dom0's config writes, the VF report, assignment,
 * the guest's emulated view against dom0's raw one, direct BAR0 and trapped MSI-X, an interrupt
 * raised by the VF reaching the guest's shared page, hostile hypercalls, and a guest's death.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "hc_util.h"
#include "hw/iommu/vtd.h"
#include "hw/machine.h"
#include "hw/nic/regs.h"
#include "hw/pci/sriov.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/passthrough.h"

#define PF0 PCI_RID(1, 0)

struct env {
	struct machine *m;
	struct hv *hv;
	struct domain *dom0, *guest;
	uint16_t vf0, vf1;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct domain_config d0 = {.name = "Domain-0", .role = VFNET_ROLE_DOM0, .mem_mib = 8};
	struct domain_config g = {.name = "guest1", .role = VFNET_ROLE_GUEST, .mem_mib = 8};
	struct machine_config mc = {.wire = {"null", "null"}};
	unsigned cap;

	assert_int_equal(machine__create(&e->m, &mc), 0);
	assert_int_equal(machine__start(e->m), 0);
	assert_int_equal(hv__create(&e->hv, e->m, NULL, NULL), 0);
	assert_int_equal(domain__create(e->hv, &d0, &e->dom0), 0);
	passthrough__adopt(e->hv, e->dom0);
	assert_int_equal(domain__create(e->hv, &g, &e->guest), 0);
	/* dom0 enables two VFs the way Linux does, by config writes. */
	cap = machine__pf(e->m, 0)->sriov->cap;
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, PF0, cap + PCI_SRIOV_NUM_VF, 2, 2), 0);
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, PF0, cap + PCI_SRIOV_CTRL, 2,
				   PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE), 0);
	e->vf0 = (uint16_t)(PF0 + pci_sriov__offset(machine__pf(e->m, 0)));
	e->vf1 = (uint16_t)(e->vf0 + pci_sriov__stride(machine__pf(e->m, 0)));
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	hv__destroy(e->hv);
	machine__destroy(e->m);
	free(e);
	return 0;
}

static void report_and_assign(struct env *e, uint16_t vf, unsigned index)
{
	struct vfnet_hc_vf v = {.pf_rid = PF0, .vf_rid = vf, .index = (uint16_t)index, .add = 1};
	struct vfnet_hc_assignable a = {.rid = vf, .add = 1};
	struct hc_reply rep;

	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_VF_REPORT, &v, sizeof(v), NULL, 0, &rep), 0);
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_ASSIGNABLE, &a, sizeof(a), NULL, 0, &rep), 0);
}

static void attach(struct env *e, uint16_t vf)
{
	struct vfnet_hc_attach a = {.domid = e->guest->id, .rid = vf};
	struct hc_reply rep;

	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_ATTACH, &a, sizeof(a), NULL, 0, &rep), 0);
}

static void test_boot_gives_ram_and_line(void **state)
{
	struct env *e = *state;
	struct hc_reply rep;
	struct vfnet_hc_boot b;

	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_BOOT, NULL, 0, &b, sizeof(b), &rep), 0);
	/* RAM, the interrupt line, the event channel send kick. */
	assert_int_equal(rep.hdr.nfds, 3);
	assert_int_equal(rep.fds[2], e->guest->evt.kick_fd);
	assert_int_equal(b.abi, VFNET_ABI_VERSION);
	assert_true(b.store_port > 0);
	assert_int_equal(b.domid, e->guest->id);
	assert_int_equal(b.role, VFNET_ROLE_GUEST);
	assert_int_equal(b.ram_bytes, 8u << 20);
	assert_string_equal(b.name, "guest1");
	assert_int_equal(rep.hdr.seq, 7);
}

static void test_views_of_a_vf(void **state)
{
	struct env *e = *state;
	struct hc_reply rep;
	struct vfnet_hc_event ev;
	int rc;

	/* dom0 sees the raw VF: vendor and device read all ones. */
	assert_int_equal(hc_cfg_rd(e->hv, e->dom0, e->vf0, 0, 4, &rc), 0xffffffffu);
	assert_int_equal(rc, 0);
	report_and_assign(e, e->vf0, 0);
	attach(e, e->vf0);
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_EVENT_POP, NULL, 0, &ev, sizeof(ev), &rep), 0);
	assert_int_equal(ev.type, VFNET_EV_PCI_ADD);
	assert_int_equal(ev.rid, PCI_RID(0, 4 << 3));
	/* The guest sees an 82576 VF at 00:04.0, with the PF's vendor. */
	assert_int_equal(hc_cfg_rd(e->hv, e->guest, PCI_RID(0, 4 << 3), 0, 4, &rc), 0x10ca8086);
	assert_int_equal(hc_cfg_rd(e->hv, e->guest, PCI_RID(0, 4 << 3), PCI_HEADER_TYPE, 1, NULL),
			 0);
	/* BAR0 sizing. */
	assert_int_equal(hc_cfg_wr(e->hv, e->guest, PCI_RID(0, 4 << 3), PCI_BASE_ADDRESS_0, 4,
				   0xffffffffu), 0);
	assert_int_equal(hc_cfg_rd(e->hv, e->guest, PCI_RID(0, 4 << 3), PCI_BASE_ADDRESS_0, 4,
				   NULL) & ~0xfu, ~(16384u - 1));
	/* Nothing else on its bus: not the next slot, not the PF, not the VF's physical RID. */
	assert_int_equal(hc_cfg_rd(e->hv, e->guest, PCI_RID(0, 5 << 3), 0, 4, NULL), 0xffffffffu);
	assert_int_equal(hc_cfg_rd(e->hv, e->guest, PF0, 0, 4, NULL), 0xffffffffu);
	assert_int_equal(hc_cfg_rd(e->hv, e->guest, e->vf0, 0, 4, NULL), 0xffffffffu);
	/* Writes there go nowhere: the PF's command register is untouched. */
	{
		uint32_t before = hc_cfg_rd(e->hv, e->dom0, PF0, PCI_COMMAND, 2, NULL);

		hc_cfg_wr(e->hv, e->guest, PF0, PCI_COMMAND, 2, 0);
		assert_int_equal(hc_cfg_rd(e->hv, e->dom0, PF0, PCI_COMMAND, 2, NULL), before);
	}
	/* dom0 gave it away: its config writes to the VF are refused. */
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, e->vf0, PCI_COMMAND, 2, 4), -EPERM);
	/* and it may not turn SR-IOV off under the guest, nor VF memory decoding. */
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, PF0,
				   machine__pf(e->m, 0)->sriov->cap + PCI_SRIOV_CTRL, 2, 0),
			 -EBUSY);
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, PF0,
				   machine__pf(e->m, 0)->sriov->cap + PCI_SRIOV_CTRL, 2,
				   PCI_SRIOV_CTRL_VFE),
			 -EBUSY);
	assert_true(pci_sriov__vf_mse(machine__pf(e->m, 0)));
	/* Nor reset the PF with a 1-byte write to Device Control's high half (the FLR bit). */
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, PF0, 0xa0 + PCI_EXP_DEVCTL + 1, 1, 0x80),
			 -EBUSY);
	assert_int_equal(hc_cfg_rd(e->hv, e->guest, PCI_RID(0, 4 << 3), 0, 4, NULL), 0x10ca8086);
	/* Nor renumber the buses under the machine's feet. */
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, PCI_RID(0, 1 << 3), PCI_SECONDARY_BUS, 1, 5),
			 -EPERM);
}

static void test_guest_privilege(void **state)
{
	struct env *e = *state;
	struct vfnet_hc_assignable a = {.rid = e->vf1, .add = 1};
	struct vfnet_hc_vf v = {.pf_rid = PF0, .vf_rid = e->vf1, .index = 1, .add = 1};
	struct vfnet_hc_attach at = {.domid = e->guest->id, .rid = e->vf1};
	struct vfnet_hc_dom q = {.domid = 0};
	struct hc_reply rep;

	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_ASSIGNABLE, &a, sizeof(a), NULL, 0, &rep),
			 -EPERM);
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_VF_REPORT, &v, sizeof(v), NULL, 0, &rep),
			 -EPERM);
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_ATTACH, &at, sizeof(at), NULL, 0, &rep),
			 -EPERM);
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_DOMAIN_INFO, &q, sizeof(q), NULL, 0, &rep),
			 -ESRCH);
	/* dom0 cannot attach what it still owns. */
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_ATTACH, &at, sizeof(at), NULL, 0, &rep),
			 -EPERM);
	/* and a PF is never assignable. */
	a.rid = PF0;
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_ASSIGNABLE, &a, sizeof(a), NULL, 0, &rep),
			 -EPERM);
}

static void test_malformed_hypercalls(void **state)
{
	struct env *e = *state;
	struct hc_reply rep;
	uint8_t junk[64] = {0};
	struct vfnet_hc_req *r = (struct vfnet_hc_req *)junk;
	struct vfnet_hc_cfg c = {.rid = PF0, .size = 3};

	hypercall__handle(e->hv, e->guest, junk, 3, &rep);
	assert_int_equal(rep.hdr.status, -EMSGSIZE);
	*r = (struct vfnet_hc_req){.op = 200, .len = 0};
	hypercall__handle(e->hv, e->guest, junk, sizeof(*r), &rep);
	assert_int_equal(rep.hdr.status, -ENOSYS);
	*r = (struct vfnet_hc_req){.op = VFNET_HC_CFG_READ, .len = 40};
	hypercall__handle(e->hv, e->guest, junk, sizeof(*r) + 4, &rep);
	assert_int_equal(rep.hdr.status, -EMSGSIZE);
	*r = (struct vfnet_hc_req){.op = VFNET_HC_CFG_READ, .len = 4};
	hypercall__handle(e->hv, e->guest, junk, sizeof(*r) + 4, &rep);
	assert_int_equal(rep.hdr.status, -EINVAL);
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_CFG_READ, &c, sizeof(c), NULL, 0, &rep),
			 -EINVAL);
	c = (struct vfnet_hc_cfg){.rid = PF0, .size = 4, .rsvd = {1}};
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_CFG_READ, &c, sizeof(c), NULL, 0, &rep),
			 -EINVAL);
	assert_int_equal(rep.hdr.nfds, 0);
}

struct raise_arg {
	struct e82576 *nic;
	struct pci_func *fn;
	uint64_t addr;
};

static void read_entry0(void *a)
{
	struct raise_arg *x = a;

	e82576__mmio(x->nic, x->fn, 3, 0, 4, false, &x->addr);
}

static void vf_raise(void *a)
{
	struct raise_arg *x = a;

	e82576__wr32(x->nic, x->fn, E1000_VF_EIMS, 1);
	e82576__wr32(x->nic, x->fn, E1000_VF_EICS, 1);
}

static void test_bars_and_interrupt(void **state)
{
	struct env *e = *state;
	uint16_t vrid = PCI_RID(0, 4 << 3);
	struct vfnet_hc_bar b = {.rid = vrid, .bar = 0};
	struct vfnet_hc_bar_map map;
	struct vfnet_hc_mmio mm;
	struct hc_reply rep;
	struct pollfd pfd;
	uint64_t n;
	int msix;

	report_and_assign(e, e->vf0, 0);
	attach(e, e->vf0);
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_BAR_MAP, &b, sizeof(b), &map, sizeof(map),
			    &rep), 0);
	assert_int_equal(map.flags, VFNET_BAR_DIRECT);
	assert_int_equal(map.size, 16384);
	assert_int_equal(rep.hdr.nfds, 2);
	b.bar = 3;
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_BAR_MAP, &b, sizeof(b), &map, sizeof(map),
			    &rep), 0);
	assert_int_equal(map.flags, VFNET_BAR_TRAPPED);
	b.bar = 2;
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_BAR_MAP, &b, sizeof(b), NULL, 0, &rep),
			 -EINVAL);

	/* MSI-X entry 0 -> vector 40, unmasked; the capability enabled; bus master on. */
	mm = (struct vfnet_hc_mmio){.rid = vrid, .bar = 3, .width = 4, .write = 1};
	mm.off = 0, mm.value = 0xfee00000u;
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_MMIO, &mm, sizeof(mm), NULL, 0, &rep), 0);
	mm.off = 8, mm.value = 40;
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_MMIO, &mm, sizeof(mm), NULL, 0, &rep), 0);
	mm.off = 12, mm.value = 0;
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_MMIO, &mm, sizeof(mm), NULL, 0, &rep), 0);
	mm = (struct vfnet_hc_mmio){.rid = vrid, .bar = 3, .width = 4, .off = 8};
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_MMIO, &mm, sizeof(mm), &mm, sizeof(mm), &rep),
			 0);
	assert_int_equal(mm.value, 40); /* the guest reads back what it wrote */
	msix = 0x70;
	assert_int_equal(hc_cfg_wr(e->hv, e->guest, vrid, msix + PCI_MSIX_FLAGS, 2,
				   PCI_MSIX_FLAGS_ENABLE), 0);
	assert_int_equal(hc_cfg_wr(e->hv, e->guest, vrid, PCI_COMMAND, 2,
				   PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER), 0);
	/* The physical entry is in remappable format (iommu.md: address bit 4). */
	{
		struct raise_arg arg = {e->m->nic, &e->m->nicfn->vf[0][0], 0};

		assert_int_equal(e82576__call(e->m->nic, 0, read_entry0, &arg), 0);
		assert_true(arg.addr & (1u << 4));
		/* The VF raises vector 0 (EICS with EIMS set), as its driver would. */
		assert_int_equal(e82576__call(e->m->nic, 0, vf_raise, &arg), 0);
	}
	pfd = (struct pollfd){.fd = e->guest->notify_fd, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(read(e->guest->notify_fd, &n, sizeof(n)), sizeof(n));
	assert_true(e->guest->shared->pir[0] & (1ull << 40));
	assert_true(e->guest->shared->control & VFNET_PI_ON);
	assert_int_equal(e->hv->irqdest[e->guest->id].interrupts, 1);
	assert_int_equal(e->hv->irqdest[0].interrupts, 0); /* dom0 saw nothing */
}

static void test_guest_death_returns_vf(void **state)
{
	struct env *e = *state;
	struct hv_func *f;
	struct iommu_fault rec;

	report_and_assign(e, e->vf0, 0);
	attach(e, e->vf0);
	f = passthrough__by_rid(e->hv, e->vf0);
	assert_int_equal(f->owner, (int)e->guest->id);
	domain__destroy(e->guest);
	e->guest = NULL;
	assert_int_equal(f->owner, HV_NO_OWNER);
	assert_true(f->assignable);
	assert_false(f->ring.active);
	for (unsigned i = 0; i < f->msix_nr; i++)
		assert_int_equal(f->msix[i].irte, -1);
	/* Its DMA is blocked now: a read by the VF's RID faults. */
	{
		uint8_t b;

		while (iommu__fault_pop(e->m->iommu, &rec) == 0)
			;
		assert_int_not_equal(iommu__dma_read(e->m->iommu, e->vf0, 0x100000, &b, 1), 0);
	}
}

/* Guest ids go round as Xen's do: a new guest does not get the id of one just destroyed (its
 * backends in dom0 may still be going), only once every other id had its turn; dom0 stays 0. */
static void test_domain_ids_go_round(void **state)
{
	struct env *e = *state;
	struct domain_config g = {.name = "g", .role = VFNET_ROLE_GUEST, .mem_mib = 8};
	struct domain *d, *keep[HV_MAX_DOMAINS];
	unsigned first = e->guest->id, n = 0;

	assert_int_equal(first, 1);
	domain__destroy(e->guest);
	e->guest = NULL;
	assert_int_equal(domain__create(e->hv, &g, &d), 0);
	assert_int_equal(d->id, first + 1); /* not the id just freed */
	domain__destroy(d);
	assert_int_equal(domain__create(e->hv, &g, &d), 0);
	assert_int_equal(d->id, first + 2);
	domain__destroy(d);
	/* Fill every slot: the ids wrap past the top to 1, skipping 0 and those in use. */
	for (;;) {
		char name[16];
		struct domain_config c = g;

		snprintf(name, sizeof(name), "f%u", n);
		c.name = name;
		if (domain__create(e->hv, &c, &keep[n]))
			break;
		assert_int_not_equal(keep[n]->id, 0);
		n++;
	}
	assert_int_equal(n, HV_MAX_DOMAINS - 1);
	assert_int_equal(keep[0]->id, first + 3);
	assert_int_equal(keep[HV_MAX_DOMAINS - 1 - (first + 2)]->id, 1); /* wrapped */
	for (unsigned i = 0; i < n; i++)
		domain__destroy(keep[i]);
}

/* The VF policy the machine keeps for dom0's PF driver: checked field by field, dom0's only,
 * kept across dom0's death, forgotten with the VF. */
static void test_vf_policy_kept(void **state)
{
	struct env *e = *state;
	struct vfnet_hc_vf_policy p = {.pf_rid = PF0, .vf = 1, .write = 1,
				       .flags = VFNET_POLICY_MAC | VFNET_POLICY_SPOOFCHK,
				       .mac = {0x02, 0, 0, 0, 0, 0x0b}, .vlan = 30, .qos = 3,
				       .link_state = VFNET_LINK_ENABLE, .max_tx_rate = 100};
	struct vfnet_hc_vf_policy q = {.pf_rid = PF0, .vf = 1}, out, bad;
	struct domain_config d0 = {.name = "Domain-0", .role = VFNET_ROLE_DOM0, .mem_mib = 8};
	struct hc_reply rep;
	unsigned cap = machine__pf(e->m, 0)->sriov->cap;

	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_VF_POLICY, &q, sizeof(q), &out, sizeof(out),
			    &rep),
			 -ENOENT);
	/* what is out of range changes nothing */
	static const struct {
		size_t off, len;
		uint32_t val;
	} wrong[] = {
		{offsetof(struct vfnet_hc_vf_policy, write), 1, 2},
		{offsetof(struct vfnet_hc_vf_policy, vlan), 2, 4095},
		{offsetof(struct vfnet_hc_vf_policy, qos), 1, 8},
		{offsetof(struct vfnet_hc_vf_policy, link_state), 1, 3},
		{offsetof(struct vfnet_hc_vf_policy, rsvd), 2, 1},
		{offsetof(struct vfnet_hc_vf_policy, flags), 4, 1u << 7},
		{offsetof(struct vfnet_hc_vf_policy, mac), 1, 0x03}, /* multicast */
		{offsetof(struct vfnet_hc_vf_policy, min_tx_rate), 4, 101},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(wrong); i++) {
		bad = p;
		memcpy((uint8_t *)&bad + wrong[i].off, &wrong[i].val, wrong[i].len);
		assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_VF_POLICY, &bad, sizeof(bad), NULL, 0,
				    &rep),
				 -EINVAL);
	}
	bad = p;
	bad.vf = 2; /* only two VFs are enabled */
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_VF_POLICY, &bad, sizeof(bad), NULL, 0, &rep),
			 -ENODEV);
	bad = p;
	bad.pf_rid = e->vf0; /* not a PF */
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_VF_POLICY, &bad, sizeof(bad), NULL, 0, &rep),
			 -ENODEV);
	assert_int_equal(hc(e->hv, e->guest, VFNET_HC_VF_POLICY, &p, sizeof(p), NULL, 0, &rep),
			 -EPERM);
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_VF_POLICY, &q, sizeof(q), &out, sizeof(out),
			    &rep),
			 -ENOENT);

	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_VF_POLICY, &p, sizeof(p), NULL, 0, &rep), 0);
	/* dom0 dies and comes back: the new one gets it */
	domain__destroy(e->dom0);
	assert_int_equal(domain__create(e->hv, &d0, &e->dom0), 0);
	passthrough__adopt(e->hv, e->dom0);
	memset(&out, 0, sizeof(out));
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_VF_POLICY, &q, sizeof(q), &out, sizeof(out),
			    &rep),
			 0);
	assert_int_equal(rep.hdr.len, sizeof(out));
	assert_true(out.flags & VFNET_POLICY_KEPT);
	assert_true(out.flags & VFNET_POLICY_MAC && out.flags & VFNET_POLICY_SPOOFCHK);
	assert_false(out.flags & VFNET_POLICY_TRUST);
	assert_memory_equal(out.mac, p.mac, 6);
	assert_int_equal(out.vlan, 30);
	assert_int_equal(out.qos, 3);
	assert_int_equal(out.link_state, VFNET_LINK_ENABLE);
	assert_int_equal(out.max_tx_rate, 100);
	/* VF 0 has none of its own */
	q.vf = 0;
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_VF_POLICY, &q, sizeof(q), &out, sizeof(out),
			    &rep),
			 -ENOENT);
	/* VF Enable cleared: the VFs are gone and so is what was kept for them */
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, PF0, cap + PCI_SRIOV_CTRL, 2, 0), 0);
	assert_int_equal(hc_cfg_wr(e->hv, e->dom0, PF0, cap + PCI_SRIOV_CTRL, 2,
				   PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE),
			 0);
	q.vf = 1;
	assert_int_equal(hc(e->hv, e->dom0, VFNET_HC_VF_POLICY, &q, sizeof(q), &out, sizeof(out),
			    &rep),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boot_gives_ram_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_views_of_a_vf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_privilege, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_hypercalls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bars_and_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_death_returns_vf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vf_policy_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_ids_go_round, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
