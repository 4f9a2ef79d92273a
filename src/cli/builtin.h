/* What a vfnet domain runs: the drivers and apps linked into `vfnet domain`. */
#ifndef VFNET_CLI_BUILTIN_H
#define VFNET_CLI_BUILTIN_H

#include "os/runtime.h"

extern struct pci_driver *const builtin_drivers[];
extern struct xenbus_driver *const builtin_xenbus_drivers[];
extern void (*const builtin_inits[])(void);


#endif
