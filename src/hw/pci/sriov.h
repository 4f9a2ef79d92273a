/*
 * The SR-IOV extended capability of a physical function (PCI SR-IOV 1.1, chapter 3), and the
 * virtual functions it brings to life.
 *
 * NumVFs, System Page Size and ARI Capable Hierarchy are writable only while VF Enable is clear.
 * Setting VF Enable makes VFs 0..NumVFs-1 answer config cycles at
 *   RID(PF) + First VF Offset + i * VF Stride
 * and clearing it makes them vanish. First VF Offset and VF Stride are the device's (a callback),
 * evaluated when NumVFs or the ARI bit changes. Only the lowest-numbered PF of a device owns the
 * ARI Capable Hierarchy bit; the other PFs follow it (their copy is read-only zero).
 * A VF's BARs are slices of the PF's VF BARs: VF i's BAR k is VF BARk + i * per-VF size, where the
 * per-VF size is the device's size rounded up to the System Page Size.
 */
#ifndef VFNET_HW_PCI_SRIOV_H
#define VFNET_HW_PCI_SRIOV_H

#include "hw/pci/config.h"

#define PCI_SRIOV_MAX_PEERS 8

struct pci_sriov_ops {
	/* First VF Offset and VF Stride for this NumVFs and ARI setting. */
	void (*layout)(const struct pci_func *pf, unsigned numvfs, bool ari, uint16_t *offset,
		       uint16_t *stride);
	/* VF Enable took effect: VFs 0..now-1 answer, where 0..before-1 did (0 when disabled). */
	void (*vf_enable)(struct pci_func *pf, unsigned before, unsigned now);
};

struct pci_sriov_cfg {
	uint16_t initial_vfs, total_vfs;
	uint16_t vf_device;
	uint8_t func_dep_link;
	uint32_t supported_page_sizes;
	/* Per-VF BARs: kind and size of each VF's BARn (PCI_BAR_NONE for unused). */
	struct pci_bar_info vf_bar[PCI_NUM_BARS];
	const struct pci_sriov_ops *ops;
};

struct pci_sriov {
	uint16_t cap;            /* offset of the capability in the PF */
	uint16_t total;
	uint16_t enabled;        /* VFs answering now */
	struct pci_func *vfs;    /* total VF functions, built by the device model */
	struct pci_bar_info vf_bar[PCI_NUM_BARS];
	const struct pci_sriov_ops *ops;
	struct pci_func *pf;
	struct pci_sriov *leader;                      /* owner of ARI Capable Hierarchy */
	struct pci_sriov *peers[PCI_SRIOV_MAX_PEERS];  /* a leader's followers */
	unsigned npeers;
};

/*
 * Add the capability at off to pf and attach the VF functions (an array of cfg->total_vfs,
 * each already built with pci_func__init and its capabilities). The VFs start absent.
 */
int pci_sriov__init(struct pci_func *pf, struct pci_sriov *s, uint16_t off,
		    const struct pci_sriov_cfg *cfg, struct pci_func *vfs);
/* Make follower take the ARI Capable Hierarchy bit from leader (same device, higher function). */
int pci_sriov__follow(struct pci_sriov *follower, struct pci_sriov *leader);

/* Called by the config layer after a write to the PF, and after a PF reset. */
void pci_sriov__cfg_write(struct pci_func *pf, unsigned off, unsigned size, uint32_t old,
			  uint32_t val);
void pci_sriov__reset(struct pci_func *pf);

/* Queries. */
unsigned pci_sriov__num_vfs(const struct pci_func *pf);  /* NumVFs register */
bool pci_sriov__vf_mse(const struct pci_func *pf);
bool pci_sriov__ari(const struct pci_func *pf);          /* the hierarchy setting in force */
uint16_t pci_sriov__offset(const struct pci_func *pf);
uint16_t pci_sriov__stride(const struct pci_func *pf);
uint64_t pci_sriov__vf_bar_size(const struct pci_func *pf, unsigned bar);
/* VF index's BAR address, 0 when the VF BAR is unassigned or the index is out of range. */
uint64_t pci_sriov__vf_bar_addr(const struct pci_func *pf, unsigned index, unsigned bar);
/* The enabled VF answering at rid, or NULL. */
struct pci_func *pci_sriov__vf_by_rid(const struct pci_func *pf, uint16_t rid);

#endif
