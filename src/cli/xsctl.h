/*
 * What the xenstore-* commands share: their PATH operands as Xen's tools in dom0 take them, and
 * one request per path with errors worded as those tools word them.
 */
#ifndef VFNET_CLI_XSCTL_H
#define VFNET_CLI_XSCTL_H

#include <json-c/json.h>

/* dom0's home: where a relative path starts, as for Xen's tools run in dom0. */
#define XSCTL_HOME "/local/domain/0"

/*
 * A PATH operand as the machine wants it: an absolute path (or a special one, @...) as it is, a
 * relative one below XSCTL_HOME. A string to free, NULL when out of memory.
 */
char *xsctl__path(const char *arg);

/*
 * Send @req (and put it): EXIT_OK and *@reply (the caller puts it); or, when the host refuses,
 * one line "vfnet CMD: BEFORE ARG AFTER: why", ARG being the operand as the user wrote it (quoted
 * as xenstore-ls quotes values), and EXIT_FAIL. Xen's words: "couldn't read path " for read,
 * "could not write path ", "could not remove path ", "xs_directory (" ... ")" for ls.
 */
int xsctl__call(const char *cmd, struct json_object *req, const char *before, const char *arg,
		const char *after, struct json_object **reply);

/*
 * The value of a reply or of one of xenstore-ls's nodes: "value", or the bytes of "value_hex" for
 * one that is not UTF-8. 0, *@val (NUL-terminated, to free) and *@len; -ENOENT when @o has
 * neither (or a malformed one), -ENOMEM.
 */
int xsctl__value(struct json_object *o, char **val, size_t *len);

/* Add @len bytes at @val to @req as "value", or as "value_hex" when they are not UTF-8. */
void xsctl__add_value(struct json_object *req, const char *val, size_t len);

#endif
