/* dom0's netback-vifs service, asked quietly (dom0_vifs.h). */
#include <json-c/json.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/ctl.h"
#include "cli/dom0_vifs.h"

struct json_object *dom0_vifs__read(const char *cmd)
{
	struct json_object *creq = ctl__req("connect", "domain", "0"), *crep = NULL, *req;
	struct json_object *reply = NULL, *ok;
	int fd = -1;

	if (client__call_fd(cmd, creq, &crep, &fd) || fd < 0) {
		json_object_put(creq);
		return NULL;
	}
	json_object_put(creq);
	json_object_put(crep);
	req = ctl__req("netback-vifs", NULL, NULL);
	if (client__request(fd, req, &reply) || !json_object_object_get_ex(reply, "ok", &ok) ||
	    !json_object_get_boolean(ok)) {
		json_object_put(reply);
		reply = NULL;
	}
	json_object_put(req);
	close(fd);
	return reply;
}
