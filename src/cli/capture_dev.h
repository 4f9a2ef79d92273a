/*
 * `vfnet capture` of a domain's own interface (dom0's vif1.0 or xenbr0, a guest's eth0): the
 * domain's "capture" service streams what the interface sends and receives, and this side writes
 * it with libpcap, as tcpdump -i IF -w FILE run in that domain would.
 */
#ifndef VFNET_CLI_CAPTURE_DEV_H
#define VFNET_CLI_CAPTURE_DEV_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* A target that names an interface of dom0 rather than a port or a VF: vifD.N, a bridge. */
bool capture_dev__is_dom0_dev(const char *target);
/* Capture @dev of @domain into @file until *@interrupted or @count frames (0: no limit). */
int capture_dev__run(const char *domain, const char *dev, const char *file, uint64_t count,
		     volatile sig_atomic_t *interrupted);

#endif
