/*
 * vfnet demo: the main job. For now it shows what the machine's silicon does: the PCI topology
 * at power-on, SR-IOV enabled the way Linux's PCI core enables it, and the VFs that appear.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cli/cmd.h"
#include "hw/machine.h"
#include "hw/pci/dump.h"
#include "hw/pci/sriov.h"

static void demo_help(FILE *out)
{
	fprintf(out, "usage: vfnet demo\n\n"
		     "Build the machine and walk through what exists so far:\n"
		     "  1. the PCI topology at power-on (host bridge, root port, the 82576's PFs);\n"
		     "  2. ARI forwarding on the root port and 7 VFs enabled on PF0, as Linux's\n"
		     "     sriov_numvfs does it, with the SR-IOV capability's offset and stride;\n"
		     "  3. the topology with the VFs answering at 01:10.0, 01:10.2, ...\n\n"
		     "example:\n  vfnet demo\n");
}

static void list(struct machine *m)
{
	struct pci_func *funcs[64];
	unsigned n = pci_topo__list(&m->pci, funcs, 64);

	for (unsigned i = 0; i < n; i++) {
		printf("    ");
		pci_dump__line(stdout, funcs[i], PCI_NAMES_BOTH);
		putchar('\n');
	}
}

static int cfg_rmw(struct machine *m, uint16_t rid, unsigned off, unsigned size, uint32_t set)
{
	uint32_t v;
	int rc = pci_topo__cfg_read(&m->pci, rid, off, size, &v);

	return rc ? rc : pci_topo__cfg_write(&m->pci, rid, off, size, v | set);
}

static int demo_run(int argc, char **argv)
{
	static struct machine m;
	struct pci_func *pf0;
	unsigned cap, numvfs = 7;
	int rc;

	if (argc > 1)
		return cmd__usage("demo", "unexpected argument '%s'", argv[1]);
	if ((rc = machine__init(&m)))
		return cmd__fail("demo", "cannot build the machine: %s", strerror(-rc));
	pf0 = machine__pf(&m, 0);
	cap = pf0->sriov->cap;

	printf("1. The machine at power-on (vfnet lspci -nn):\n");
	list(&m);

	printf("\n2. Enabling %u VFs on PF0 01:00.0 as Linux does:\n", numvfs);
	printf("    root port 00:01.0: Device Control 2 |= ARI Forwarding Enable\n");
	printf("    PF0 SR-IOV control: ARI Capable Hierarchy; NumVFs = %u; VF Enable | VF MSE\n",
	       numvfs);
	if ((rc = cfg_rmw(&m, MACHINE_ROOT_PORT_RID, m.root_port.pcie + PCI_EXP_DEVCTL2, 2,
			  PCI_EXP_DEVCTL2_ARI)) ||
	    (rc = cfg_rmw(&m, pf0->rid, cap + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_ARI)) ||
	    (rc = pci_topo__cfg_write(&m.pci, pf0->rid, cap + PCI_SRIOV_NUM_VF, 2, numvfs)) ||
	    (rc = cfg_rmw(&m, pf0->rid, cap + PCI_SRIOV_CTRL, 2,
			  PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE)))
		return cmd__fail("demo", "enabling SR-IOV failed: %s", strerror(-rc));
	printf("    First VF Offset %u, VF Stride %u, VF Device ID %04x; VF BAR0 per VF %llu KiB\n",
	       pci_sriov__offset(pf0), pci_sriov__stride(pf0), pci_func__device(&pf0->sriov->vfs[0]),
	       (unsigned long long)pci_sriov__vf_bar_size(pf0, 0) / 1024);

	printf("\n3. The machine with VFs (a VF's own vendor/device registers read ffff;\n"
	       "   software names it from its PF):\n");
	list(&m);
	printf("\nNext: `vfnet lspci -xxxx | lspci -F /dev/stdin -vv` decodes the power-on dumps\n"
	       "with the real lspci.\n");
	return EXIT_OK;
}

const struct cmd cmd_demo = {
	.name = "demo",
	.summary = "the main job: show the machine and SR-IOV at work",
	.run = demo_run,
	.help = demo_help,
};
