#include "cli/builtin.h"

#include <stddef.h>

struct pci_driver *const builtin_drivers[] = {
	NULL,
};

const struct app_type *const builtin_apps[] = {
	NULL,
};
