/* The entry into a domain's runtime, for the `vfnet domain` command that a machine starts. */
#ifndef VFNET_OS_RUNTIME_H
#define VFNET_OS_RUNTIME_H

#include "vfnet/app.h"
#include "vfnet/pci.h"
#include "vfnet/xenbus.h"

struct os_builtin {
	struct pci_driver *const *drivers;  /* NULL-terminated */
	const struct app_type *const *apps; /* NULL-terminated */
	struct xenbus_driver *const *xenbus_drivers; /* NULL-terminated, may be NULL */
	/* Run once after the PCI scan, before xenbus devices probe (dom0's bridges, module
	 * options): NULL-terminated, may be NULL. */
	void (*const *inits)(void);
};

/* Boot from the machine (descriptors VFNET_HC_FD and VFNET_EV_FD), scan, bind, run the apps, loop
 * until shutdown. Returns the process's exit status. */
int os__run(const struct os_builtin *builtin);

#endif
