/*
 * The PCI core of a domain: the functions the domain can see, the drivers bound to them, their
 * config space, BARs and MSI-X, and (in dom0) SR-IOV.
 *
 * dom0 sees the physical bus: it scans from bus 0 through the root port at boot, and enabling
 * SR-IOV on a PF hot-adds its VFs (and reports each to the hypervisor). A guest sees a virtual bus
 * 00 with the functions assigned to it; they come and go by hot-plug. A driver matches by vendor
 * and device id and gets probe() and remove() calls, as in Linux.
 *
 * Matching, as Linux's PCI bus does it:
 *  - a device is offered to the drivers in the order they were registered: the runtime's built-in
 *    list in its order, then each pci__register_driver call; the first driver whose id table
 *    matches and whose probe() returns 0 gets it;
 *  - a probe() that fails (any -errno) leaves the device unbound and it is offered to the next
 *    matching driver; if none takes it, it stays unbound (logged);
 *  - a driver registered later is offered only the devices still unbound: nobody's device is
 *    taken away;
 *  - the domain's configuration may choose a driver by name for one device (a pci entry's
 *    `driver=NAME` at create, as Linux's driver_override): then that driver alone is tried,
 *    even if its id table does not list the device (its probe gets {PCI_ANY_ID, PCI_ANY_ID});
 *    a name that is not built in leaves the device unbound. A driver with an empty id table
 *    binds only this way;
 *  - in dom0, VFs are not offered at all when SR-IOV is enabled (sriov_drivers_autoprobe = 0).
 *
 * BAR0 accesses are direct (a request ring to the device, no hypervisor on the path); the MSI-X
 * table is trapped by the hypervisor, which the core hides behind pci__msix_*.
 */
#ifndef VFNET_PCI_H
#define VFNET_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_ANY_ID 0xffffu

struct pci_dev;
struct pci_bar;

struct pci_device_id {
	uint16_t vendor, device; /* {0, 0} ends a table */
};

struct pci_driver {
	const char *name;
	const struct pci_device_id *id_table; /* NULL or empty: bound only when chosen by name */
	int (*probe)(struct pci_dev *dev, const struct pci_device_id *id);
	/* The device is going (unbind, hot-unplug, shutdown). After a surprise removal its
	 * register reads return all ones and its writes go nowhere; remove must cope. */
	void (*remove)(struct pci_dev *dev);
	/* `vfnet sriov PF numvfs N`: enable @num_vfs VFs (0: disable). Returns the number
	 * enabled or -errno, as Linux's sriov_configure. */
	int (*sriov_configure)(struct pci_dev *dev, int num_vfs);
	struct pci_driver *next; /* the core's */
};

struct pci_dev {
	uint16_t rid;	/* bus << 8 | devfn, in this domain's view */
	uint16_t vendor; /* for a VF: the PF's vendor */
	uint16_t device; /* for a VF: the VF Device ID of its PF's SR-IOV capability */
	uint8_t revision;
	uint32_t class; /* base << 16 | sub << 8 | prog-if */
	bool is_virtfn;
	struct pci_dev *physfn; /* dom0: a VF's PF */
	unsigned vf_index;
	char slot[16]; /* "01:10.0" */
	struct pci_driver *driver;
	void *drvdata;
	bool gone; /* surprise-removed: accesses no longer reach a device */
};

/* Add a driver at the end of the list and offer it every unbound device (see above). */
int pci__register_driver(struct pci_driver *drv);

/* Every device the domain sees, in scan order; NULL ends. */
struct pci_dev *pci__next(struct pci_dev *prev);
struct pci_dev *pci__find(uint16_t rid);

/* Config space (1, 2, 4 bytes, naturally aligned). Reads of a function gone return all ones. */
int pci__cfg_read(struct pci_dev *dev, unsigned off, unsigned size, uint32_t *val);
int pci__cfg_write(struct pci_dev *dev, unsigned off, unsigned size, uint32_t val);
/* Offset of a capability (standard list) or extended capability, 0 if absent. */
unsigned pci__find_cap(struct pci_dev *dev, uint8_t id);
unsigned pci__find_ext_cap(struct pci_dev *dev, uint16_t id);
int pci__set_master(struct pci_dev *dev, bool on);

/* ---- BARs ---- */

/* Map BAR @bar of @dev (memory decoding is turned on). NULL with errno on failure. */
struct pci_bar *pci__iomap(struct pci_dev *dev, unsigned bar);
void pci__iounmap(struct pci_bar *bar);
/*
 * Register access. A write is posted: it returns at once, and the device applies writes in
 * order; pci__writel also rings the device's doorbell when it sleeps. A read waits for the
 * device and is ordered after every earlier write. A read of a device that is gone returns all
 * ones. pci__writel_post skips the doorbell decision: end a batch of them with pci__flush.
 */
uint32_t pci__readl(struct pci_bar *bar, uint32_t off);
void pci__writel(struct pci_bar *bar, uint32_t off, uint32_t val);
void pci__writel_post(struct pci_bar *bar, uint32_t off, uint32_t val);
void pci__flush(struct pci_bar *bar);

/* ---- MSI-X ---- */

/* Table size of the function's MSI-X capability (0: none). */
unsigned pci__msix_count(struct pci_dev *dev);
/* Point table entry @entry at domain vector @vector (irq__request) and unmask it. */
int pci__msix_set(struct pci_dev *dev, unsigned entry, int vector);
/* Mask entry @entry. */
int pci__msix_mask(struct pci_dev *dev, unsigned entry, bool masked);
/* MSI-X Enable in the capability (and Function Mask cleared). */
int pci__msix_enable(struct pci_dev *dev, bool on);

/* ---- SR-IOV (dom0) ---- */

unsigned pci__sriov_totalvfs(struct pci_dev *pf);
unsigned pci__sriov_numvfs(struct pci_dev *pf);
/*
 * Linux's pci_enable_sriov: NumVFs, VF Enable and VF MSE, the wait, then each VF hot-added
 * (unbound, as with sriov_drivers_autoprobe = 0) and reported to the hypervisor. 0, -EBUSY
 * when VFs are already enabled, -ERANGE beyond TotalVFs.
 */
int pci__enable_sriov(struct pci_dev *pf, unsigned num_vfs);
/* Removes the VFs (their drivers first), then clears VF Enable. -EBUSY, with the guest's name
 * in *@who (if not NULL), when one of them is assigned away. */
int pci__disable_sriov(struct pci_dev *pf, char *who, unsigned wholen);
/* The VF of @pf with index @vf, if present in this domain. */
struct pci_dev *pci__vf(struct pci_dev *pf, unsigned vf);
/* Is VF @vf of @pf away from dom0 (assignable or in a guest)? The guest's name in @who. */
bool pci__vf_assigned(struct pci_dev *pf, unsigned vf, char *who, unsigned wholen);

/* The administrator's policy of a VF, as the toolstack keeps it for the PF driver. */
struct pci_vf_policy {
	uint8_t mac[6];
	bool mac_set; /* mac is the administrator's */
	uint16_t vlan, qos;
	bool spoofchk, trusted;
	unsigned link_state; /* 0 auto, 1 enable, 2 disable */
	unsigned max_tx_rate, min_tx_rate; /* Mbit/s */
};

/*
 * dom0: keep VF @vf's policy with the machine (VFNET_HC_VF_POLICY), which holds it while the VF
 * exists and across restarts of dom0; a PF driver that finds its VFs already enabled asks for it
 * back. 0, -ENOENT from load when nothing is kept, or -errno.
 */
int pci__vf_policy_save(struct pci_dev *pf, unsigned vf, const struct pci_vf_policy *p);
int pci__vf_policy_load(struct pci_dev *pf, unsigned vf, struct pci_vf_policy *p);

#endif
