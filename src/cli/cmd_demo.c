/*
 * vfnet demo: the main job. For now it shows what the machine's silicon does: the PCI topology
 * at power-on, SR-IOV enabled the way Linux's PCI core enables it, the VFs that appear, and the
 * IOMMU keeping two VFs' DMA apart by requester ID.
 */
#include <errno.h>
#include <string.h>

#include "cli/cmd.h"
#include "hw/iommu/context.h"
#include "hw/machine.h"
#include "hw/pci/dump.h"
#include "hw/pci/sriov.h"

#define GUEST_RAM  (2ull << 20)
#define GUEST_A_MA 0x200000000ull
#define GUEST_B_MA 0x210000000ull

static void demo_help(FILE *out)
{
	fprintf(out, "usage: vfnet demo\n\n"
		     "Build the machine and walk through what exists so far:\n"
		     "  1. the PCI topology at power-on (host bridge, root port, the 82576's PFs);\n"
		     "  2. ARI forwarding on the root port and 7 VFs enabled on PF0, as Linux's\n"
		     "     sriov_numvfs does it, with the SR-IOV capability's offset and stride;\n"
		     "  3. the topology with the VFs answering at 01:10.0, 01:10.2, ...;\n"
		     "  4. the IOMMU as a hypervisor programs it: two guests' RAM, one VF each,\n"
		     "     DMA at the same address reaching each guest's own memory, and the faults\n"
		     "     recorded when a VF reaches past its guest or has no context.\n\n"
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

static int enable_vfs(struct machine *m, struct pci_func *pf, unsigned numvfs)
{
	unsigned cap = pf->sriov->cap;
	int rc;

	printf("    root port 00:01.0: Device Control 2 |= ARI Forwarding Enable\n");
	printf("    PF0 SR-IOV control: ARI Capable Hierarchy; NumVFs = %u; VF Enable | VF MSE\n",
	       numvfs);
	if ((rc = cfg_rmw(m, MACHINE_ROOT_PORT_RID, m->root_port.pcie + PCI_EXP_DEVCTL2, 2,
			  PCI_EXP_DEVCTL2_ARI)) ||
	    (rc = cfg_rmw(m, pf->rid, cap + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_ARI)) ||
	    (rc = pci_topo__cfg_write(&m->pci, pf->rid, cap + PCI_SRIOV_NUM_VF, 2, numvfs)) ||
	    (rc = cfg_rmw(m, pf->rid, cap + PCI_SRIOV_CTRL, 2,
			  PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE)))
		return rc;
	printf("    First VF Offset %u, VF Stride %u, VF Device ID %04x; VF BAR0 per VF %llu KiB\n",
	       pci_sriov__offset(pf), pci_sriov__stride(pf), pci_func__device(&pf->sriov->vfs[0]),
	       (unsigned long long)pci_sriov__vf_bar_size(pf, 0) / 1024);
	return 0;
}

static void dma(struct machine *m, const char *who, uint16_t rid, uint64_t iova, bool write)
{
	char buf[64] = "written by the demo", bdf[8];
	int rc = write ? iommu__dma_write(m->iommu, rid, iova, buf, sizeof(buf))
		       : iommu__dma_read(m->iommu, rid, iova, buf, sizeof(buf));

	printf("    %-22s %s %-5s IOVA %#010llx: %s\n", who, pci_rid__str(rid, bdf),
	       write ? "write" : "read", (unsigned long long)iova,
	       rc ? "blocked (fault recorded)" : "ok");
}

static int iommu_walk(struct machine *m)
{
	struct pci_func *vfa = &m->nicfn->vf[0][2], *vfb = &m->nicfn->vf[0][3];
	const struct mem_region *ra, *rb;
	struct context_tables ct;
	struct dma_domain da, db;
	struct iommu_fault f;
	int rc;

	if ((rc = mem__add(&m->mem, "guest A", GUEST_A_MA, GUEST_RAM, &ra)) ||
	    (rc = mem__add(&m->mem, "guest B", GUEST_B_MA, GUEST_RAM, &rb)) ||
	    (rc = context__init(&ct, &m->hv, m->iommu)))
		return rc;
	if ((rc = dma_domain__create(&da, &m->hv, m->iommu, 1, 0)) ||
	    (rc = dma_domain__create(&db, &m->hv, m->iommu, 2, 0)) ||
	    (rc = dma_domain__map(&da, 0, GUEST_A_MA, GUEST_RAM, IOMMU_READ | IOMMU_WRITE)) ||
	    (rc = dma_domain__map(&db, 0, GUEST_B_MA, GUEST_RAM, IOMMU_READ | IOMMU_WRITE)) ||
	    (rc = context__attach(&ct, vfa->rid, &da)) || (rc = context__attach(&ct, vfb->rid, &db)))
		return rc;
	printf("    guest A: 2 MiB RAM at machine address %#llx, IOVA 0 = its address 0; VF 01:10.4\n",
	       (unsigned long long)GUEST_A_MA);
	printf("    guest B: 2 MiB RAM at machine address %#llx, IOVA 0 = its address 0; VF 01:10.6\n",
	       (unsigned long long)GUEST_B_MA);
	dma(m, "guest A's VF", vfa->rid, 0x1000, true);
	dma(m, "guest B's VF", vfb->rid, 0x1000, false);
	printf("    (each write landed in its own guest: A holds \"%s\", B's page is %s)\n",
	       (char *)ra->host + 0x1000, rb->host[0x1000] ? "written" : "untouched");
	dma(m, "guest A's VF", vfa->rid, GUEST_RAM, true);
	dma(m, "unassigned VF", m->nicfn->vf[0][4].rid, 0x1000, false);
	printf("    IOMMU fault log:\n");
	while (iommu__fault_pop(m->iommu, &f) == 0) {
		char bdf[8];

		printf("      %s %s at %#llx: %s (reason %#x)\n", pci_rid__str(f.sid, bdf),
		       f.write ? "write" : "read", (unsigned long long)f.addr,
		       iommu__fault_reason_str(f.reason), f.reason);
	}
	context__fini(&ct);
	dma_domain__destroy(&da);
	dma_domain__destroy(&db);
	return 0;
}

static int demo_run(int argc, char **argv)
{
	struct machine *m;
	int rc;

	if (argc > 1)
		return cmd__usage("demo", "unexpected argument '%s'", argv[1]);
	if ((rc = machine__create(&m, NULL)))
		return cmd__fail("demo", "cannot build the machine: %s", strerror(-rc));

	printf("1. The machine at power-on (vfnet lspci -nn):\n");
	list(m);
	printf("\n2. Enabling 7 VFs on PF0 01:00.0 as Linux does:\n");
	if ((rc = enable_vfs(m, machine__pf(m, 0), 7))) {
		machine__destroy(m);
		return cmd__fail("demo", "enabling SR-IOV failed: %s", strerror(-rc));
	}
	printf("\n3. The machine with VFs (a VF's own vendor/device registers read ffff;\n"
	       "   software names it from its PF):\n");
	list(m);
	printf("\n4. DMA through the IOMMU, checked by requester ID:\n");
	rc = iommu_walk(m);
	machine__destroy(m);
	if (rc)
		return cmd__fail("demo", "programming the IOMMU failed: %s", strerror(-rc));
	printf("\nNext: `vfnet lspci -xxxx > dump.txt && lspci -F dump.txt -vv` decodes the\n"
	       "power-on config spaces with the real lspci.\n");
	return EXIT_OK;
}

const struct cmd cmd_demo = {
	.name = "demo",
	.summary = "the main job: show the machine, SR-IOV and the IOMMU at work",
	.run = demo_run,
	.help = demo_help,
};
