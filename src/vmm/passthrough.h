/*
 * Device ownership and pass-through: which domain may use each PCI function of the NIC, and the
 * three ways a domain reaches a function it owns.
 *
 *   config space  dom0: physical config cycles (refused for functions it gave away);
 *                 a guest: vPCI (vmm/vpci.h) on its virtual bus 00, slot 4 upwards
 *   BAR0          direct: a request ring (lib/reqring.h) the NIC engine serves, handed to the
 *                 domain with its doorbell; the hypervisor is not on this path
 *   BAR3 (MSI-X)  trapped: table writes become posted interrupt-remapping entries (source id =
 *                 the function's RID, destination = the domain's shared page, vector = the
 *                 entry's data) and the physical entry is written in remappable format
 *
 * Ownership: a PF belongs to dom0. A VF belongs to dom0 once dom0 has reported it
 * (VFNET_HC_VF_REPORT; its IOMMU context then maps dom0's RAM); pci-assignable-add takes it from
 * dom0 into the pool (reset, context blocked); pci-attach gives it to a guest (context = the
 * guest's page table, hot-plugged at a virtual slot); detach, or the guest's death, resets it and
 * puts it back in the pool.
 */
#ifndef VFNET_VMM_PASSTHROUGH_H
#define VFNET_VMM_PASSTHROUGH_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/nic/pcidev.h"
#include "lib/memfd.h"
#include "lib/reqring.h"
#include "vfnet/abi.h"
#include "vmm/vpci.h"

#define HV_RING_ENTRIES	 256
#define HV_NO_OWNER	 (-1)
#define HV_GUEST_BAR_BASE 0xf0000000ull /* guest-physical BAR window: 1 MiB per virtual slot */

struct hv;
struct domain;
struct hc_reply;

struct hv_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl; /* what the domain wrote (ctrl bit 0: masked) */
	int irte;			       /* -1: none allocated */
};

struct hv_ring {
	struct memfd mem;
	struct reqring_cons cons;
	bool active; /* served by the engine */
};

struct hv_func {
	struct hv *hv;
	struct pci_func *fn;
	uint16_t rid; /* physical, as it answers now */
	unsigned port;
	int vf;	      /* VF index, -1 for the PF */
	bool present; /* answers on the bus (a VF: while enabled) */
	bool reported; /* a VF dom0 has reported */
	int owner;    /* domain id, HV_NO_OWNER */
	bool assignable;
	bool needs_flr; /* its last reset failed: retried before anyone gets it */
	bool detaching; /* its guest was asked to let it go (VFNET_EV_PCI_REMOVE) */
	int detach_timer;
	void (*detach_done)(void *opaque, uint64_t token, int rc);
	void *detach_opaque;
	uint64_t detach_token;
	uint8_t vslot; /* a guest's: slot on its bus 00 */
	struct vpci_dev vpci;

	unsigned msix_nr;
	bool msix_enabled, msix_masked; /* a guest's: the virtual Message Control bits */
	struct hv_msix_entry msix[E82576_PF_MSIX_VECTORS];
	struct hv_ring ring;

	/* A VF's administrator policy as dom0's PF driver last kept it (vf_policy.c). */
	struct vfnet_hc_vf_policy policy;
	bool policy_kept;

	uint64_t mmio_traps;   /* trapped BAR accesses */
	uint64_t cfg_refused;  /* config writes refused */
	uint64_t irq_refused;  /* MSI-X entries not bound (bad vector or address) */
};

int passthrough__init(struct hv *hv);
void passthrough__fini(struct hv *hv);

struct hv_func *passthrough__by_rid(struct hv *hv, uint16_t rid);
/* The function a domain names with @rid in its own view (guest: virtual), if it owns it. */
struct hv_func *passthrough__lookup(struct hv *hv, const struct domain *d, uint16_t rid);
/* The guest-visible RID of a function a guest owns. */
uint16_t passthrough__vrid(const struct hv_func *f);

int passthrough__cfg_read(struct hv *hv, struct domain *d, uint16_t rid, unsigned off,
			  unsigned size, uint32_t *val);
int passthrough__cfg_write(struct hv *hv, struct domain *d, uint16_t rid, unsigned off,
			   unsigned size, uint32_t val);
/* Does a config write of @size bytes at @off start a function-level reset of an 82576 function? */
bool passthrough__cfg_is_flr(unsigned off, unsigned size, uint32_t val);
/* Fills @rep's results and descriptors for VFNET_HC_BAR_MAP. */
int passthrough__bar_map(struct hv *hv, struct domain *d, struct hv_func *f, unsigned bar,
			 struct hc_reply *rep);
int passthrough__mmio(struct hv *hv, struct domain *d, struct hv_func *f, unsigned bar,
		      uint32_t off, unsigned width, bool write, uint64_t *value);

int passthrough__vf_report(struct hv *hv, uint16_t pf_rid, uint16_t vf_rid, unsigned index,
			   bool add);
int passthrough__assignable(struct hv *hv, uint16_t rid, bool add);
int passthrough__attach(struct hv *hv, struct domain *d, uint16_t rid, unsigned vslot);
/* Take a function from a guest at once (surprise removal, `xl pci-detach -f`). */
int passthrough__detach(struct hv *hv, struct domain *d, uint16_t rid);
/*
 * Ask the guest to let the function go: it gets VFNET_EV_PCI_REMOVE, removes its driver while
 * the device still works, and answers VFNET_HC_PCI_RELEASED; then the function is reset and
 * returned to the pool. A guest that does not answer within HV_DETACH_TIMEOUT_NS loses it by
 * force. Returns 1 when @done(@opaque, @token, 0) will be called once it is over, 0 when it was
 * done at once (a guest that cannot be asked), or -errno.
 */
#define HV_DETACH_TIMEOUT_NS 2000000000ull
int passthrough__detach_request(struct hv *hv, struct domain *d, uint16_t rid,
				void (*done)(void *opaque, uint64_t token, int rc), void *opaque,
				uint64_t token);
/* VFNET_HC_PCI_RELEASED from @d for @rid (its view). */
int passthrough__released(struct hv *hv, struct domain *d, uint16_t rid);
/* Drop every completion callback with @opaque (its owner is going away). */
void passthrough__forget(struct hv *hv, void *opaque);

/*
 * VFNET_HC_VF_POLICY (vf_policy.c): keep @in (in->write) or fetch into @out the policy of VF
 * in->vf of the PF at in->pf_rid. -ENODEV for no such PF or VF, -ENOENT when none is kept,
 * -EINVAL for a field out of range.
 */
int passthrough__vf_policy(struct hv *hv, const struct vfnet_hc_vf_policy *in,
			   struct vfnet_hc_vf_policy *out);

/* dom0 arrived: it takes over every function no guest and no pool holds. */
void passthrough__adopt(struct hv *hv, struct domain *dom0);
/* A domain is going: everything it owns is reset and cut off from its memory. */
void passthrough__release_domain(struct hv *hv, struct domain *d);

#endif
