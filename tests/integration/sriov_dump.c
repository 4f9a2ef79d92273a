/*
 * Test program: builds the machine, enables SR-IOV with config cycles the way Linux's PCI core
 * does, and prints every function in `lspci -xxxx` format for the real `lspci -F` to decode.
 *
 * usage: sriov_dump [--ari] [--numvfs N] [--port P] [--pagesize BIT]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/machine.h"
#include "hw/pci/dump.h"
#include "hw/pci/sriov.h"

static int rmw(struct machine *m, uint16_t rid, unsigned off, unsigned size, uint32_t set)
{
	uint32_t v;
	int rc = pci_topo__cfg_read(&m->pci, rid, off, size, &v);

	return rc ? rc : pci_topo__cfg_write(&m->pci, rid, off, size, v | set);
}

int main(int argc, char **argv)
{
	struct machine *m;
	struct pci_func *funcs[64];
	unsigned numvfs = 7, port = 0, pagebit = 0, n;
	int ari = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ari"))
			ari = 1;
		else if (!strcmp(argv[i], "--numvfs") && i + 1 < argc)
			numvfs = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--port") && i + 1 < argc)
			port = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--pagesize") && i + 1 < argc)
			pagebit = (unsigned)atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: sriov_dump [--ari] [--numvfs N] [--port P] "
					"[--pagesize BIT]\n");
			return 2;
		}
	}
	if ((rc = machine__create(&m, NULL)))
		return 1;
	for (unsigned p = 0; p < E82576_PORTS; p++) {
		struct pci_func *pf = machine__pf(m, p);
		unsigned cap = pf->sriov->cap;

		if (p != port && port != 2)
			continue;
		/* Linux: ARI forwarding on the port, ARI Capable Hierarchy on the lowest PF,
		 * System Page Size, NumVFs, then VF Enable | VF MSE (drivers/pci/iov.c). */
		if (ari && ((rc = rmw(m, MACHINE_ROOT_PORT_RID, m->root_port.pcie + PCI_EXP_DEVCTL2, 2,
				      PCI_EXP_DEVCTL2_ARI)) ||
			    (rc = rmw(m, machine__pf(m, 0)->rid,
				      machine__pf(m, 0)->sriov->cap + PCI_SRIOV_CTRL, 2,
				      PCI_SRIOV_CTRL_ARI))))
			break;
		if ((rc = pci_topo__cfg_write(&m->pci, pf->rid, cap + PCI_SRIOV_SYS_PGSIZE, 4,
					      1u << pagebit)) ||
		    (rc = pci_topo__cfg_write(&m->pci, pf->rid, cap + PCI_SRIOV_NUM_VF, 2, numvfs)) ||
		    (rc = rmw(m, pf->rid, cap + PCI_SRIOV_CTRL, 2,
			      PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE)))
			break;
	}
	if (rc) {
		machine__destroy(m);
		fprintf(stderr, "sriov_dump: enabling SR-IOV failed: %s\n", strerror(-rc));
		return 1;
	}
	n = pci_topo__list(&m->pci, funcs, 64);
	for (unsigned i = 0; i < n; i++)
		pci_dump__hex(stdout, funcs[i], PCI_NAMES_TEXT, 4096);
	machine__destroy(m);
	return 0;
}
