/*
 * The vifs as dom0's netback counts them (its "netback-vifs" service): traffic, state and the
 * CPU dom0 spends on each. For `vfnet top` and `vfnet list -j`.
 */
#ifndef VFNET_CLI_DOM0_VIFS_H
#define VFNET_CLI_DOM0_VIFS_H

#include <stdint.h>

struct json_object;

/*
 * dom0's reply ({"time_ns", "vifs": [...]}), to be put by the caller; NULL when dom0 does not
 * answer (it is restarting, say), without a message: the vifs are then left out.
 */
struct json_object *dom0_vifs__read(const char *cmd);

#endif
