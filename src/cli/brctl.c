#include "cli/brctl.h"

#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"

int brctl__bridges(const char *cmd, struct json_object **reply, struct json_object **bridges)
{
	struct json_object *req = ctl__req("brctl-show", NULL, NULL);
	int rc = client__domain_call(cmd, "0", req, reply);

	json_object_put(req);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(*reply, "bridges", bridges) ||
	    !json_object_is_type(*bridges, json_type_array)) {
		json_object_put(*reply);
		*reply = NULL;
		return cmd__fail(cmd, "dom0's reply has no bridges");
	}
	return EXIT_OK;
}

struct json_object *brctl__find(struct json_object *bridges, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(bridges); i++) {
		struct json_object *b = json_object_array_get_idx(bridges, i);

		if (!strcmp(ctl__str(b, "name"), name))
			return b;
	}
	return NULL;
}

const char *brctl__shown(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return "(unprintable)";
	return n <= 40 ? s : "(too long)";
}
