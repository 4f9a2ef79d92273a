/*
 * An in-process runtime for the drivers: include/vfnet's API (os.h, irq.h, pci.h, dma.h and the
 * netdev core) implemented over the real machine (hw/machine.h) with its NIC engines stopped, so
 * every register access is a synchronous e82576__mmio and nothing runs unless the test says so.
 *
 * Domains. dom0 runs mdd on PF0 (01:00.0); each VF bound with harness__bind_vf runs vdd in a
 * guest domain of its own. All share one process and one vector space, but every vector, work
 * and timer belongs to the domain that was current when it was requested, and runs in it.
 *
 * Time is a fake clock (the NIC's too); os__udelay and os__msleep advance it (dom0's are
 * counted). Each os__now_ns call by a guest advances it by
 * HARNESS_TICK_NS and lets dom0 run its pending interrupts and works: that is dom0's vCPU
 * answering the mailbox while the VF driver busy-waits for it, as two processes would.
 *
 * DMA: IOMMU translation is off (as before the hypervisor programs it), so a bus address is a
 * machine address; dma__alloc hands out pages of one machine memory region. MSIs are taken in
 * compatibility format (interrupt remapping off): the MSI data is the domain vector.
 */
#ifndef VFNET_TEST_DRIVERS_HARNESS_H
#define VFNET_TEST_DRIVERS_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "vfnet/netdev.h"
#include "vfnet/pci.h"

struct machine;

#define HARNESS_DOM0	0
#define HARNESS_TICK_NS 1000ull /* what one os__now_ns call by a guest costs */
#define HARNESS_MAX_VFS 7

struct harness {
	struct machine *m;
	struct pci_dev *pf;			/* PF0, mdd bound */
	struct netdev *pf_nd;			/* its netdev pf0, up after setup */
	struct pci_dev *vf[HARNESS_MAX_VFS];	/* present while SR-IOV is on */
	unsigned vf_dom[HARNESS_MAX_VFS];	/* the guest each bound VF runs in (0: unbound) */
	bool vf_assigned[HARNESS_MAX_VFS];	/* what pci__vf_assigned answers */
	/* What the machine keeps for pci__vf_policy_save/load: forgotten when SR-IOV goes off. */
	struct pci_vf_policy policy[HARNESS_MAX_VFS];
	bool policy_kept[HARNESS_MAX_VFS];
	unsigned policy_saves;
	uint64_t msi_delivered, msi_stray;
	uint64_t dom0_delays, dom0_delay_ns; /* os__udelay/os__msleep called by dom0's code */
};

extern struct harness h;

/* cmocka setup/teardown: a fresh machine, mdd probed on PF0 in dom0 and pf0 up, as dom0's boot
 * leaves it; everything undone. */
int harness__setup(void **state);
int harness__teardown(void **state);

/* The domain whose code the caller is about to run (tests calling driver code directly). */
unsigned harness__enter(unsigned dom);

/*
 * dom0 restarted: mdd goes (with its VFs left enabled, as when they are in guests) and a new
 * mdd probes the PF, which finds them enabled. Guests' VF drivers stay bound. probe's result.
 */
int harness__dom0_restart(void);

/* The configuration every guest domain reads from now on ("key=value\n" lines; NULL: none).
 * Reset by harness__setup. */
void harness__set_guest_config(const char *cfg);

/* mdd's sriov_configure in dom0. */
int harness__sriov(int num_vfs);
/* Probe vdd on VF @vf in guest domain @dom (1, 2, ...); returns probe's result. */
int harness__bind_vf(unsigned vf, unsigned dom);
void harness__unbind_vf(unsigned vf);
/* The VF driver's netdev (NULL when unbound). */
struct netdev *harness__vf_netdev(unsigned vf);

/* One pass: the NIC datapath and EITR timers, then every pending interrupt and work, then
 * the timers due. True when something ran. */
bool harness__step(void);
/* Step, advancing the clock by @step_ns after each idle pass, until pred(arg) or @max_ns of
 * fake time have passed. Returns pred's last value. */
bool harness__run_until(bool (*pred)(void *arg), void *arg, uint64_t max_ns);
/* Let @ns of fake time pass, stepping as harness__run_until does. */
void harness__advance(uint64_t ns);
uint64_t harness__now(void);

/* PF registers as the silicon has them (e82576__rd32 on PF0). */
uint32_t harness__pf_rd32(uint32_t off);

/* A request to dom0's services (os__service: mdd's, and link.c's once link__init ran), as
 * the machine hands `vfnet` tools' requests over: the reply, with "ok" and, on failure, "error"
 * (and the handler's "detail"). The caller puts it. */
struct json_object;
struct json_object *harness__request(const char *json);

/* The log lines of both drivers since the last clear; does one contain @needle? */
bool harness__log_has(const char *needle);
void harness__log_clear(void);

#endif
