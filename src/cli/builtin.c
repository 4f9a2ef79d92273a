#include "cli/builtin.h"

#include <stddef.h>

#include "drivers/vdd/vdd.h"

struct pci_driver *const builtin_drivers[] = {
	&vdd_driver,
	NULL,
};

const struct app_type *const builtin_apps[] = {
	NULL,
};
