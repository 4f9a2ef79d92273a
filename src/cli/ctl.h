/*
 * What the commands that act on domains and devices (create, destroy, list, pci-*, ...) share:
 * their argument conventions, building a request, printing a reply as JSON.
 */
#ifndef VFNET_CLI_CTL_H
#define VFNET_CLI_CTL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Parse the options and operands of @cmd: -j when @json is not NULL, then between @min and @max
 * operands (@what names them in a usage error, e.g. "DOM BDF"). EXIT_OK and the first operand's
 * index in *@first, or the usage error's exit status.
 */
int ctl__args(const char *cmd, int argc, char **argv, bool *json, int min, int max,
	      const char *what, int *first);

/* {"op": @op} and, when @key is not NULL, @key: @val. */
struct json_object *ctl__req(const char *op, const char *key, const char *val);

/* A PCI address operand ([0000:]BB:DD.F): 0 and *@rid, or a one-line error and EXIT_FAIL. */
int ctl__bdf(const char *cmd, const char *arg, uint16_t *rid);

struct xlcfg_pci;

/*
 * A pci spec (`vfnet create`'s pci = [...], `vfnet pci-attach`'s argument) checked against what
 * the host does: permissive=1 and power_mgmt=1 are refused (vPCI has no permissive mode, a VF
 * no power states); msitranslate is moot (a VF always uses MSI-X). @spec names it in errors.
 * EXIT_OK, or a one-line error and EXIT_FAIL.
 */
int ctl__pci_supported(const char *cmd, const struct xlcfg_pci *pci, const char *spec);

struct xlcfg_vif;

/*
 * A vif spec (`vfnet create`'s vif = [...], `vfnet network-attach`'s arguments) as the host's
 * request wants it, added to @req: "mac", "bridge" and "devid" when given. The keys vfnet has no
 * use for (vifname, ip, mtu, rate, script, model, type) get one warning each on stderr, "vfnet
 * CMD: warning: vif 'SPEC': KEY ignored: why"; a backend other than dom0 is refused. @spec names
 * the vif in messages. EXIT_OK, or a one-line error and EXIT_FAIL.
 */
int ctl__vif(const char *cmd, const struct xlcfg_vif *vif, const char *spec,
	     struct json_object *req);

/* seize=1: make the function assignable (pci-assignable-add) before it is used. */
int ctl__seize(const char *cmd, uint16_t rid);

/* Send @req (and put it); the reply is dropped. The exit status. */
int ctl__call(const char *cmd, struct json_object *req);

/* The reply without "ok", pretty-printed on stdout. */
void ctl__print_json(struct json_object *reply);

/* @key of @o as a string, "" when absent; as an unsigned number, 0 when absent. */
const char *ctl__str(struct json_object *o, const char *key);
uint64_t ctl__u64(struct json_object *o, const char *key);

#endif
