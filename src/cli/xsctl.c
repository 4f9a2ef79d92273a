#include "cli/xsctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/xs_format.h"
#include "lib/utf8.h"

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

int xsctl__value(struct json_object *o, char **val, size_t *len)
{
	struct json_object *v;
	size_t n;
	long got;

	if (json_object_object_get_ex(o, "value", &v) && json_object_is_type(v, json_type_string)) {
		n = (size_t)json_object_get_string_len(v);
		if (!(*val = malloc(n + 1)))
			return -ENOMEM;
		memcpy(*val, json_object_get_string(v), n + 1);
		*len = n;
		return 0;
	}
	if (!json_object_object_get_ex(o, "value_hex", &v) ||
	    !json_object_is_type(v, json_type_string))
		return -ENOENT;
	n = (size_t)json_object_get_string_len(v);
	if (!(*val = malloc(n / 2 + 1)))
		return -ENOMEM;
	if ((got = xs_format__unhex(json_object_get_string(v), n, *val)) < 0) {
		free(*val);
		*val = NULL;
		return -ENOENT;
	}
	*len = (size_t)got;
	return 0;
}

void xsctl__add_value(struct json_object *req, const char *val, size_t len)
{
	char *hex;

	if (utf8__valid(val, len) || !(hex = malloc(len * 2 + 1))) {
		json_object_object_add(req, "value", json_object_new_string_len(val, (int)len));
		return;
	}
	xs_format__hex(val, len, hex);
	json_object_object_add(req, "value_hex", json_object_new_string(hex));
	free(hex);
}
