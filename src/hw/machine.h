/*
 * The machine: the silicon of a vfnet host, as firmware hands it to the operating system.
 *
 *   00:00.0  host bridge (Intel 5520 I/O Hub)
 *   00:01.0  PCI Express root port 1, ARI Forwarding Supported; secondary bus 01, subordinate 02
 *   01:00.0  82576 port 0 (PF0)      01:00.1  82576 port 1 (PF1)
 *
 * plus machine memory (memfd regions by machine address), one IOMMU in front of every DMA and
 * MSI, and the NIC's register model behind the PCI functions. Firmware has numbered the buses
 * (leaving bus 02 for VFs of a non-ARI hierarchy), opened the root port's windows and assigned
 * the PFs' BARs and VF BARs; DMA remapping and interrupt remapping are off until the hypervisor
 * programs the IOMMU.
 */
#ifndef VFNET_HW_MACHINE_H
#define VFNET_HW_MACHINE_H

#include "hw/iommu/iommu.h"
#include "hw/mem/memory.h"
#include "hw/mem/pool.h"
#include "hw/nic/e82576.h"
#include "hw/nic/wire.h"
#include "hw/pci/topology.h"

#define MACHINE_ROOT_PORT_RID PCI_RID(0, 1 << 3)
#define MACHINE_NIC_BUS       1
#define MACHINE_MMIO_BASE     0xe0000000u   /* the root port's memory window */
#define MACHINE_IO_BASE       0xe000u
#define MACHINE_HV_BASE       0x100000000ull /* the hypervisor's own pages (IOMMU tables) */
#define MACHINE_HV_SIZE       (16ull << 20)

/* Where interrupts end up once remapped: the hypervisor installs this (see machine__set_irq). */
typedef void (*machine_irq_fn)(void *opaque, uint16_t rid, const struct ir_target *target,
			       bool notify);

struct machine_config {
	const char *wire[E82576_PORTS]; /* wire specs (wire.h); NULL means "cable" */
	uint64_t poll_window_ns;        /* the NIC engines' poll window; 0: the default */
};

struct machine {
	struct pci_topo pci;
	struct pci_func host_bridge;
	struct pci_func root_port;
	struct machine_mem mem;
	struct mem_pool hv;         /* zeroed pages for the hypervisor's IOMMU tables */
	struct iommu *iommu;
	struct e82576 *nic;
	struct e82576_pci *nicfn;   /* the NIC's PCI functions */
	struct wire_cable *cable;
	struct wire *wire[E82576_PORTS];
	uint64_t poll_window_ns;
	bool running;               /* the NIC engines run: the ports belong to them */
	machine_irq_fn irq;
	void *irq_opaque;
	uint64_t msi_dropped;       /* MSIs that remapping refused or nobody took */
};

/* Build the machine (cfg NULL: defaults). Wires are opened; nothing runs yet. */
int machine__create(struct machine **out, const struct machine_config *cfg);
/* Start the NIC engines: from here on, accesses to the NIC go through machine__cfg_* and
 * e82576__call, which run them on the engine that owns the port. */
int machine__start(struct machine *m);
void machine__destroy(struct machine *m);

/* Config cycles by routing ID as the machine's control thread makes them (dom0's, vPCI's):
 * pci_topo__cfg_read/write, run on the NIC's engine when they reach one of its functions. */
int machine__cfg_read(struct machine *m, uint16_t rid, unsigned off, unsigned size, uint32_t *val);
int machine__cfg_write(struct machine *m, uint16_t rid, unsigned off, unsigned size, uint32_t val);
/* Read-modify-write as one call: (value & ~@clear) | @set (one trip to the engine, not two). */
int machine__cfg_update(struct machine *m, uint16_t rid, unsigned off, unsigned size,
			uint32_t clear, uint32_t set);

/* A platform reset (PERST#): every function back at power-on, then firmware's assignments. */
void machine__reset(struct machine *m);

/* The NIC's physical function for a port. */
struct pci_func *machine__pf(struct machine *m, unsigned port);

/*
 * Route remapped and posted interrupts to fn. It runs on the NIC engines' threads (both ports',
 * at once), so it must be thread-safe and must not wait for an engine. @notify is true for a posted interrupt when the
 * descriptor's ON bit was clear (send one notification) and always true for a remapped one.
 */
void machine__set_irq(struct machine *m, machine_irq_fn fn, void *opaque);

#endif
