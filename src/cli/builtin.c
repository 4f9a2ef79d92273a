#include "cli/builtin.h"

#include <stddef.h>

#include "apps/apps.h"


/* Each driver exports one symbol; their private headers (mdd.h, vdd.h) stay private. */
extern struct pci_driver mdd_driver; /* 8086:10C9, the PF: dom0's Master Device Driver */
extern struct pci_driver vdd_driver; /* 8086:10CA, the VF driver */
extern struct pci_driver hostile_driver; /* no ids: chosen by name, for containment tests */

struct pci_driver *const builtin_drivers[] = {
	&mdd_driver,
	&vdd_driver,
	&hostile_driver,
	NULL,
};

/* The paravirtual network drivers and dom0's bridge. */
extern struct xenbus_driver netfront_driver; /* guests: device/vif/N */
extern struct xenbus_driver netback_driver;  /* dom0: backend/vif/DOM/N */
void bridge__init(void);
void netback__init(void);

struct xenbus_driver *const builtin_xenbus_drivers[] = {
	&netfront_driver,
	&netback_driver,
	NULL,
};

void (*const builtin_inits[])(void) = {
	bridge__init,
	netback__init,
	NULL,
};
