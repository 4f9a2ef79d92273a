/*
 * vfnet lspci without a host: pciutils' -s and -d filters, and the bus tree of a machine whose
 * VFs land on a bus of their own (no ARI), drawn as the real `lspci -F dump -t` draws it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/lspci.h"
#include "hw/machine.h"
#include "hw/pci/sriov.h"

static void test_slot_filter(void **state)
{
	struct lspci_filter f;

	lspci_filter__init(&f);
	assert_null(lspci_filter__slot(&f, "01:10"));
	assert_int_equal(f.bus, 1);
	assert_int_equal(f.slot, 0x10);
	assert_int_equal(f.func, -1);

	lspci_filter__init(&f);
	assert_null(lspci_filter__slot(&f, ".2"));
	assert_int_equal(f.bus, -1);
	assert_int_equal(f.slot, -1);
	assert_int_equal(f.func, 2);

	lspci_filter__init(&f);
	assert_null(lspci_filter__slot(&f, "01:"));
	assert_int_equal(f.bus, 1);
	assert_int_equal(f.slot, -1);

	lspci_filter__init(&f);
	assert_null(lspci_filter__slot(&f, "0000:01:*.1"));
	assert_int_equal(f.domain, 0);
	assert_int_equal(f.slot, -1);
	assert_int_equal(f.func, 1);

	lspci_filter__init(&f);
	assert_string_equal(lspci_filter__slot(&f, "1:2:3:4"), "Too many fields");
	assert_string_equal(lspci_filter__slot(&f, "01:20"), "Invalid slot number");
	assert_string_equal(lspci_filter__slot(&f, ".8"), "Invalid function number");
	assert_string_equal(lspci_filter__slot(&f, "100:0"), "Invalid bus number");
}

static struct lspci_dev dev(uint16_t rid, uint16_t vendor, uint16_t device, uint16_t class16)
{
	struct lspci_dev d = {.id = {.rid = rid, .vendor_id = vendor, .device_id = device,
				     .class16 = class16}};

	return d;
}

static void test_id_filter(void **state)
{
	struct lspci_dev pf = dev(0x0100, 0x8086, 0x10c9, 0x0200),
			 vf = dev(0x0180, 0x8086, 0x10ca, 0x0200),
			 rp = dev(0x0008, 0x8086, 0x3408, 0x0604);
	struct lspci_filter f;

	lspci_filter__init(&f);
	assert_string_equal(lspci_filter__id(&f, "a"), "At least two fields must be given");
	assert_string_equal(lspci_filter__id(&f, "12345:"), "Invalid vendor ID");
	assert_string_equal(lspci_filter__id(&f, ":1:2:3:4"), "Too many fields");

	lspci_filter__init(&f);
	assert_null(lspci_filter__id(&f, "8086:10ca"));
	assert_false(lspci_filter__match(&f, &pf));
	assert_true(lspci_filter__match(&f, &vf));

	lspci_filter__init(&f);
	assert_null(lspci_filter__id(&f, ":10c9"));
	assert_true(lspci_filter__match(&f, &pf));
	assert_false(lspci_filter__match(&f, &rp));

	/* a class with x digits: any Ethernet-class (02xx) function */
	lspci_filter__init(&f);
	assert_null(lspci_filter__id(&f, "::02xx"));
	assert_true(lspci_filter__match(&f, &pf));
	assert_true(lspci_filter__match(&f, &vf));
	assert_false(lspci_filter__match(&f, &rp));

	/* both filters at once: slot and ids */
	lspci_filter__init(&f);
	assert_null(lspci_filter__id(&f, "8086:"));
	assert_null(lspci_filter__slot(&f, "01:"));
	assert_true(lspci_filter__match(&f, &vf));
	assert_false(lspci_filter__match(&f, &rp));
}

/* sriov_dump --numvfs 2 --port 2: both PFs' VFs on bus 02, as Linux enables them without ARI. */
static unsigned noari_machine(struct machine **m, struct lspci_dev *devs)
{
	struct pci_func *funcs[LSPCI_MAX_DEVS];
	unsigned n;

	assert_int_equal(machine__create(m, NULL), 0);
	for (unsigned p = 0; p < E82576_PORTS; p++) {
		struct pci_func *pf = machine__pf(*m, p);
		unsigned cap = pf->sriov->cap;
		uint32_t ctl;

		assert_int_equal(pci_topo__cfg_write(&(*m)->pci, pf->rid, cap + PCI_SRIOV_NUM_VF, 2, 2),
				 0);
		assert_int_equal(pci_topo__cfg_read(&(*m)->pci, pf->rid, cap + PCI_SRIOV_CTRL, 2, &ctl),
				 0);
		assert_int_equal(pci_topo__cfg_write(&(*m)->pci, pf->rid, cap + PCI_SRIOV_CTRL, 2,
						     ctl | PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE),
				 0);
	}
	n = pci_topo__list(&(*m)->pci, funcs, LSPCI_MAX_DEVS);
	for (unsigned i = 0; i < n; i++)
		lspci_dev__from_func(&devs[i], funcs[i]);
	return n;
}

static char *tree_of(const struct lspci_dev *devs, unsigned n, const struct lspci_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	lspci__tree(out, devs, n, o);
	fclose(out);
	return buf;
}

static void test_tree_with_vfs_on_a_bus_of_their_own(void **state)
{
	static struct lspci_dev devs[LSPCI_MAX_DEVS];
	struct lspci_opts o = {0};
	struct machine *m;
	unsigned n = noari_machine(&m, devs);
	char *t;

	lspci_filter__init(&o.filter);
	assert_int_equal(n, 8);
	/* what `lspci -F` prints for sriov_dump's dump of the same machine */
	t = tree_of(devs, n, &o);
	assert_string_equal(t, "-[0000:00]-+-00.0\n"
			       "           \\-01.0-[01-02]--+-[0000:01]-+-00.0\n"
			       "                           |           \\-00.1\n"
			       "                           \\-[0000:02]-+-10.0\n"
			       "                                       +-10.1\n"
			       "                                       +-10.2\n"
			       "                                       \\-10.3\n");
	free(t);
	o.filtered = true;
	assert_null(lspci_filter__slot(&o.filter, "02:"));
	t = tree_of(devs, n, &o);
	assert_string_equal(t, "-[0000:00]-\\-01.0-[01-02]--\\-[0000:02]-+-10.0\n"
			       "                                       +-10.1\n"
			       "                                       +-10.2\n"
			       "                                       \\-10.3\n");
	free(t);
	machine__destroy(m);
}

/* A VF's regions are its PF's VF BAR slices, marked virtual; its own BARs read zero. */
static void test_vf_regions_are_virtual(void **state)
{
	static struct lspci_dev devs[LSPCI_MAX_DEVS];
	struct machine *m;
	unsigned n = noari_machine(&m, devs);
	const struct lspci_dev *vf = NULL;

	for (unsigned i = 0; i < n; i++)
		if (devs[i].id.rid == PCI_RID(2, 0x10 << 3 | 1))
			vf = &devs[i];
	assert_non_null(vf);
	assert_int_equal(vf->id.vendor_id, 0x8086);
	assert_int_equal(vf->id.device_id, 0x10ca);
	assert_int_equal(vf->cfg[0], 0xff); /* the raw register */
	assert_int_equal(vf->nregions, 2);
	assert_true(vf->regions[0].virt);
	assert_int_equal(vf->regions[0].size, 16384);
	assert_int_equal(vf->regions[0].kind, PCI_BAR_MEM64);
	assert_int_equal(vf->regions[1].bar, 3);
	machine__destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_filter),
		cmocka_unit_test(test_id_filter),
		cmocka_unit_test(test_tree_with_vfs_on_a_bus_of_their_own),
		cmocka_unit_test(test_vf_regions_are_virtual),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
