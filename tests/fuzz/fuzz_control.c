/*
 * Fuzz target: random bytes as one control-socket request, against a running machine (built
 * once: creating a machine per input would be most of the time). Whatever the input, the reply
 * is one line of JSON with "ok", and a failed request leaves the machine as it was. A shutdown
 * request only sets a flag, which is cleared for the next input.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/machine.h"
#include "vmm/control.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static struct machine *m;
static struct control *ctl;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *r, *ok;
	char *reply;

	if (!m) {
		CHECK(machine__create(&m, NULL) == 0);
		CHECK(machine__start(m) == 0);
		CHECK(control__create(&ctl, m) == 0);
	}
	reply = control__handle(ctl, (const char *)data, size);
	CHECK(reply);
	CHECK(!strchr(reply, '\n'));
	r = json_tokener_parse(reply);
	CHECK(r && json_object_object_get_ex(r, "ok", &ok));
	CHECK(json_object_is_type(ok, json_type_boolean));
	if (!json_object_get_boolean(ok))
		CHECK(!control__stopping(ctl));
	json_object_put(r);
	free(reply);
	if (control__stopping(ctl)) {
		control__destroy(ctl);
		CHECK(control__create(&ctl, m) == 0);
	}
	return 0;
}
