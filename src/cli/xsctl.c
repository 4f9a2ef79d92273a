#include "cli/xsctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/xs_format.h"

char *xsctl__path(const char *arg)
{
	char *p;

	if (arg[0] == '/' || arg[0] == '@')
		return strdup(arg);
	if (asprintf(&p, "%s/%s", XSCTL_HOME, arg) < 0)
		return NULL;
	return p;
}

/* The host's "PATH: why" (or "(path): why" for a path it would not echo), without the path. */
static const char *reason(const char *why, const char *path)
{
	size_t n = strlen(path);

	if (!strncmp(why, path, n) && !strncmp(why + n, ": ", 2))
		return why + n + 2;
	if (!strncmp(why, "(path): ", 8))
		return why + 8;
	return why;
}

int xsctl__call(const char *cmd, struct json_object *req, const char *before, const char *arg,
		const char *after, struct json_object **reply)
{
	struct json_object *p;
	char why[256], *shown;
	int rc;

	rc = client__call_why(cmd, req, reply, why, sizeof(why));
	if (rc == EXIT_OK || !why[0]) {
		json_object_put(req);
		return rc;
	}
	shown = xs_format__escape(arg, strlen(arg));
	rc = cmd__fail(cmd, "%s%s%s: %s", before, shown ? shown : "PATH", after,
		       reason(why, json_object_object_get_ex(req, "path", &p)
				       ? json_object_get_string(p)
				       : ""));
	free(shown);
	json_object_put(req);
	return rc;
}
