/* What `vfnet brctl` and `vfnet bridge` share: dom0's bridges as its brctl-show service lists them.
 */
#ifndef VFNET_CLI_BRCTL_H
#define VFNET_CLI_BRCTL_H

#include <json-c/json.h>

/*
 * Ask dom0 for its bridges: EXIT_OK, *@reply (the caller puts it) and *@bridges, the array of
 * {"name", "id", "stp", "interfaces"} in it; or a one-line error and EXIT_FAIL.
 */
int brctl__bridges(const char *cmd, struct json_object **reply, struct json_object **bridges);

/* The bridge called @name in @bridges, or NULL. */
struct json_object *brctl__find(struct json_object *bridges, const char *name);

/* @s if it can be echoed in a one-line error, else "(unprintable)" or "(too long)". */
const char *brctl__shown(const char *s);

#endif
