/* The control op of live migration: {"op": "migrate", "domain", "target", "max_rounds",
 * "bandwidth"}, answered when the migration ends (migrate.c) with its rounds and summary. */
#include <errno.h>
#include <string.h>

#include "vmm/control_priv.h"
#include "vmm/domain.h"
#include "vmm/hv.h"
#include "vmm/migrate.h"

static int get_uint(struct json_object *req, const char *key, uint64_t max, uint64_t *out,
		    char *err)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    (uint64_t)json_object_get_int64(v) > max)
		return control__fail(err, "%s must be a number 0..%llu", key,
				     (unsigned long long)max);
	*out = (uint64_t)json_object_get_int64(v);
	return 0;
}

static int op_migrate(struct control *c, struct json_object *req, struct json_object *reply,
		      char *err)
{
	struct migrate_opts o = {0};
	struct json_object *t;
	struct domain *d;
	uint64_t rounds = 0;
	const char *target;
	int rc;

	if (!c->hv || !c->hv->loop)
		return control__fail(err, "no hypervisor on this machine");
	if (control__get_domain(c, req, &d, err))
		return -EINVAL;
	if (!json_object_object_get_ex(req, "target", &t) ||
	    !json_object_is_type(t, json_type_string))
		return control__fail(err, "migrate needs a target");
	target = json_object_get_string(t);
	if (strcmp(target, "localhost"))
		return control__fail(err, "target '%s': only localhost (this machine) is built yet",
				     control__shown(target, strlen(target)) ?: "?");
	if (get_uint(req, "max_rounds", 64, &rounds, err) ||
	    get_uint(req, "bandwidth", 1ull << 40, &o.bandwidth, err))
		return -EINVAL;
	o.max_rounds = (unsigned)rounds;
	o.token = control__defer(c);
	if (!o.token)
		return control__fail(err, "migrate needs a connection to answer on");
	if ((rc = migrate__start(c, d, &o, err))) {
		c->deferred = false;
		return rc == -EINVAL ? rc : control__fail(err, "%s", strerror(-rc));
	}
	return 0;
}

static const char *const migrate_keys[] = {"domain", "target", "max_rounds", "bandwidth", NULL};

const struct control_op control_migrate_ops[] = {
    {"migrate", migrate_keys, op_migrate},
    {NULL, NULL, NULL},
};
