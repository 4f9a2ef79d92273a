/*
 * The CLI's side of a running machine's control socket (vmm/control.h): where it is, and one
 * request and its reply.
 */
#ifndef VFNET_CLI_CLIENT_H
#define VFNET_CLI_CLIENT_H

#include <json-c/json.h>
#include <stddef.h>

/* `vfnet --socket PATH ...`: overrides VFNET_SOCKET and the default. */
void client__set_socket(const char *path);

/*
 * The control socket's path: --socket, else $VFNET_SOCKET, else /run/vfnet/vfnet.sock as root,
 * else $XDG_RUNTIME_DIR/vfnet.sock. NULL when none applies (not root, XDG_RUNTIME_DIR unset).
 */
const char *client__socket(void);

/* Connect to the host at path: the fd, or -errno (-ENOENT, -ECONNREFUSED: nobody there). */
int client__connect(const char *path);

/* Send @req on @fd and read one reply line: 0 and *reply (the caller puts it), or -errno
 * (-EPROTO for a reply that is not a JSON object). */
int client__request(int fd, struct json_object *req, struct json_object **reply);
/* The same, and a descriptor that came with the reply into *@passed (set it to -1 first). */
int client__request_fd(int fd, struct json_object *req, struct json_object **reply, int *passed);

/*
 * For subcommands: connect, send @req, read the reply. On success EXIT_OK and *reply, with
 * "ok": true. Otherwise one line on stderr ("vfnet CMD: no vfnet host at PATH: start one with
 * `vfnet host`", or the host's error) and EXIT_FAIL.
 */
int client__call(const char *cmd, struct json_object *req, struct json_object **reply);
/* One connection for several requests (a capture lives as long as its connection): the fd, or
 * -1 after the same one-line error client__call prints. */
int client__open(const char *cmd);
/* client__call on a connection client__open made. */
int client__call_on(const char *cmd, int fd, struct json_object *req, struct json_object **reply);
/* The same, and the descriptor passed with a successful reply in *@passed (-1 when none came;
 * the caller closes it). */
int client__call_fd(const char *cmd, struct json_object *req, struct json_object **reply,
		    int *passed);
/*
 * client__call, except that when the host refuses, nothing is printed: EXIT_FAIL and the host's
 * message in @why (@whylen bytes), for a command that words the error itself. Failures to reach
 * the host are printed as client__call prints them, with @why left "".
 */
int client__call_why(const char *cmd, struct json_object *req, struct json_object **reply,
		     char *why, size_t whylen);

/*
 * Send @req to the services of @domain (a name or an id) through the host's connect op; the same
 * success and error rules as client__call, with the domain's error as the message.
 */
int client__domain_call(const char *cmd, const char *domain, struct json_object *req,
			struct json_object **reply);

#endif
