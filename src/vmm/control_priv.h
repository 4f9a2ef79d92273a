/* The control server's internals, shared by its files of operations. */
#ifndef VFNET_VMM_CONTROL_PRIV_H
#define VFNET_VMM_CONTROL_PRIV_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#define ERR_MAX 160 /* bytes of a one-line error, NUL included */

struct machine;
struct hv;
struct vloop;
struct client;

struct control {
	struct machine *m;
	struct hv *hv; /* NULL: a machine without hypervisor (unit tests of the machine's ops) */
	bool stopping;
	struct vloop *loop; /* set by control__attach */
	int listen_fd;
	struct client *clients;
	struct client *current; /* the client whose request is being handled, if any */
	struct control_captures *captures; /* control_capture.c: NULL until the first */
	bool deferred; /* the op being handled answers later (control__defer) */
};

struct control_op {
	const char *name;
	const char *const *keys; /* the keys it takes besides "op", NULL-terminated */
	int (*run)(struct control *c, struct json_object *req, struct json_object *reply,
		   char *err);
};

/* The domain and device operations (control_domains.c), ended by a NULL name. */
extern const struct control_op control_domain_ops[];
/* `vfnet top`'s reading of CPU times and VF counters (control_top.c), the same. */
extern const struct control_op control_top_ops[];
/* The paravirtual network and xenstore operations (control_net.c), the same. */
extern const struct control_op control_net_ops[];
/* A vif as a request describes it ({"mac", "bridge", "devid"}): 0 or -EINVAL with @err. */
struct vif_spec;
int control__vif_spec(struct json_object *o, struct vif_spec *s, char *err);
/* Live migration (control_migrate.c), the same. */
extern const struct control_op control_migrate_ops[];
/* The capture operations (control_capture.c), ended by a NULL name. */
extern const struct control_op control_capture_ops[];
/* Stop every capture and close its file: control__destroy, while the loop still exists. */
void control_capture__fini(struct control *c);
/* The connection named by @token (control__client) closed: the captures it started end. */
void control_capture__client_gone(struct control *c, uint64_t token);

/* Formats a one-line error into @err (ERR_MAX) and returns -EINVAL. */
int control__fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* @s (@n bytes) if it is safe to echo in an error, else NULL. */
const char *control__shown(const char *s, size_t n);
void control__add_u64(struct json_object *o, const char *key, uint64_t v);
void control__add_str(struct json_object *o, const char *key, const char *v);

/* The domain a request names in "domain" (a name or an id), or an error in @err. */
struct domain;
int control__get_domain(struct control *c, struct json_object *req, struct domain **out,
			char *err);

/* A token naming the connection of the request being handled (0 when there is none: a call of
 * control__handle without a socket). It is never reused for another connection. */
uint64_t control__client(struct control *c);

/*
 * For an op that answers later: returns a token naming the current client (0 when there is
 * none, e.g. control__handle called without a socket: then answer now). The reply built by the
 * op is dropped; control__complete sends {"ok": true} or the error later, if the client is
 * still there.
 */
uint64_t control__defer(struct control *c);
void control__complete(void *control, uint64_t token, int rc);
/* The same with a reply the op built itself ({"ok": ...} and its results). */
void control__complete_json(void *control, uint64_t token, struct json_object *reply);

/* Drops every connection and stops listening (control_server.c); safe when not attached. */
void control_server__detach(struct control *c);

/* Hands @fd (which stays the caller's) to the current client with its reply. */
int control__pass_fd(struct control *c, int fd);

#endif
