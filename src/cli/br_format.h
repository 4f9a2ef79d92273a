/*
 * How dom0's bridges are shown: bridge-utils' `brctl show` (brctl/brctl_cmd.c, brctl_disp.c) and
 * iproute2's `bridge fdb show` lines (bridge/fdb.c). No machine needed: unit-tested on its own.
 */
#ifndef VFNET_CLI_BR_FORMAT_H
#define VFNET_CLI_BR_FORMAT_H

#include <stddef.h>
#include <stdio.h>

/* "bridge name\tbridge id\t\tSTP enabled\tinterfaces" */
void br_format__show_header(FILE *out);

/*
 * One bridge of brctl show: its name, id (8000.xxxxxxxxxxxx) and STP ("yes"/"no") tab-separated,
 * then its first port; each further port on a line of its own, seven tabs in. A bridge with no
 * ports ends after the STP column's two tabs, as in bridge-utils.
 */
void br_format__show_bridge(FILE *out, const char *name, const char *id, const char *stp,
			    const char *const *ports, size_t nports);

/*
 * One forwarding entry as `bridge fdb show` prints a bridge's: "MAC dev IFNAME master BR STATE",
 * STATE being "" for a learnt (dynamic) entry, so that the line ends in a space as iproute2's.
 */
void br_format__fdb_line(FILE *out, const char *mac, const char *ifname, const char *master,
			 const char *state);

#endif
