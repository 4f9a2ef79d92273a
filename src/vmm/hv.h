/*
 * The hypervisor: what Xen is in the paper, on top of the machine (hw/). It programs the IOMMU
 * (DMA remapping: one page table per domain, all of its RAM at IOVA = guest-physical address;
 * interrupt remapping: posted entries into each domain's shared page), keeps the domains as child
 * processes, owns every PCI function it hands out (dom0 the PFs and its VFs; a guest what was
 * assigned to it), traps what must be trapped (guests' config space, every domain's MSI-X table)
 * and serves hypercalls.
 *
 * Threads: everything here runs on the machine's control thread (the vloop), except hv_irq()
 * paths, which run on the NIC engines and touch only the per-domain delivery slots.
 */
#ifndef VFNET_VMM_HV_H
#define VFNET_VMM_HV_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/types.h>

#include "hw/iommu/context.h"
#include "hw/iommu/irte.h"
#include "hw/machine.h"
#include "vfnet/abi.h"

#define HV_MAX_DOMAINS	  16
#define HV_MAX_FUNCS	  (E82576_PORTS * (1 + E82576_MAX_VFS))
#define HV_DOM_RAM_BASE	  0x1000000000ull /* machine address of domain 0's RAM */
#define HV_DOM_RAM_STRIDE 0x100000000ull  /* 4 GiB of machine addresses per domain id */
#define HV_MAX_RAM_MIB	  4096u
#define HV_IRT_ENTRIES	  1024u
#define HV_GUEST_SLOT0	  4 /* the first slot of a guest's virtual bus that devices take */
#define HV_GUEST_SLOTS	  32

struct domain;
struct hv_func;
struct vloop;
struct vif_removal;

/* Delivery slot of a domain, read by the NIC engines: never freed, reused by domain id. */
struct hv_irqdest {
	int notify_fd;	     /* eventfd of the domain (-1: none); written under quiesce only */
	uint64_t interrupts; /* vectors posted (atomic) */
	uint64_t notifies;   /* eventfd writes (atomic) */
	uint64_t spurious;   /* posted interrupts for a slot with no domain (atomic) */
};

struct hv {
	struct machine *m;
	struct vloop *loop;
	const char *exe; /* the vfnet binary, run as `vfnet domain` for each domain */
	struct context_tables ctx;
	struct ir_table irt;
	uint8_t irte_used[HV_IRT_ENTRIES / 8];
	struct domain *dom[HV_MAX_DOMAINS];
	/* The guest id to try first, as Xen's domid rover: ids are handed out in turn (wrapping),
	 * so that a guest created just after a destroy does not get the id whose xenstore
	 * directories dom0's drivers are still taking down. 0: none handed out yet. */
	unsigned next_domid;
	struct hv_irqdest irqdest[HV_MAX_DOMAINS];
	struct hv_func *funcs; /* HV_MAX_FUNCS: the PFs and VFs of the NIC */
	uint64_t spawn_failures;
	bool spawn; /* start domain processes (false in unit tests and fuzzing) */
	const char *dom0_config; /* dom0's runtime configuration (apps), kept for restarts */
	int reaper_fd;		 /* write end of the pipe to the fd reaper thread */
	pthread_t reaper;
	uint64_t fds_leaked;	 /* descriptors the reaper could not take (pipe full) */
	struct xenstore *xs;
	struct vif_removal *vif_removals; /* vmm/vif.c */
	uint64_t next_gen; /* domain instances */
	void (*dom_exit)(void *opaque, struct domain *d); /* told after a domain is gone */
	void *dom_exit_opaque;
};

/*
 * Take over the machine (started): IOMMU tables, interrupt remapping, the delivery hook.
 * @loop may be NULL when no process is to be started (tests call hypercalls directly).
 */
int hv__create(struct hv **out, struct machine *m, struct vloop *loop, const char *exe);
/* Kills and reaps every domain, then gives the IOMMU back. */
void hv__destroy(struct hv *hv);

struct domain *hv__domain(struct hv *hv, unsigned domid);
struct domain *hv__domain_by_name(struct hv *hv, const char *name);

/* Allocates an interrupt-remapping entry (-ENOSPC) and frees one. */
int hv__irte_alloc(struct hv *hv);
void hv__irte_free(struct hv *hv, unsigned index);

/*
 * Close a descriptor a domain pushed on us, off the control thread: the last close of a socket
 * can block (SO_LINGER with unsent data), and a domain must not be able to stall the machine.
 */
void hv__reap_fd(struct hv *hv, int fd);

/* Waits until no NIC engine is inside an interrupt delivery or DMA started before the call. */
void hv__quiesce(struct hv *hv);

#endif
