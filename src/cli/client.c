#include "cli/client.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/cmd.h"

#define CLIENT_MAX_REPLY (64u << 20) /* far above any reply the machine makes */
#define CLIENT_TIMEOUT_S 30          /* a host that accepted but never answers */

static const char *socket_opt;

void client__set_socket(const char *path)
{
	socket_opt = path;
}

const char *client__socket(void)
{
	static char buf[PATH_MAX];
	const char *env = getenv("VFNET_SOCKET"), *xdg;

	if (socket_opt)
		return socket_opt;
	if (env && *env)
		return env;
	if (geteuid() == 0)
		return "/run/vfnet/vfnet.sock";
	xdg = getenv("XDG_RUNTIME_DIR");
	if (!xdg || !*xdg)
		return NULL;
	snprintf(buf, sizeof(buf), "%s/vfnet.sock", xdg);
	return buf;
}

int client__connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = CLIENT_TIMEOUT_S};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = -errno;
		close(fd);
		return rc;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static ssize_t recv_fd(int fd, char *buf, size_t len, int *passed)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	ssize_t r = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

	for (struct cmsghdr *cm = r > 0 ? CMSG_FIRSTHDR(&msg) : NULL; cm;
	     cm = CMSG_NXTHDR(&msg, cm)) {
		int got;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&got, CMSG_DATA(cm), sizeof(int));
		if (passed && *passed < 0)
			*passed = got;
		else
			close(got);
	}
	return r;
}

int client__request(int fd, struct json_object *req, struct json_object **reply)
{
	return client__request_fd(fd, req, reply, NULL);
}

int client__request_fd(int fd, struct json_object *req, struct json_object **reply, int *passed)
{
	const char *s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	size_t len = 0, cap = 0;
	char *buf = NULL, *nl = NULL;
	int rc;

	if ((rc = send_all(fd, s, strlen(s))) || (rc = send_all(fd, "\n", 1)))
		return rc;
	while (!nl) {
		ssize_t r;

		if (cap - len < 4096) {
			char *nb;

			if (cap >= CLIENT_MAX_REPLY) {
				rc = -EMSGSIZE;
				goto out;
			}
			cap = cap ? 2 * cap : 65536;
			if (!(nb = realloc(buf, cap + 1))) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		r = recv_fd(fd, buf + len, cap - len, passed);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r == 0 ? -ECONNRESET : errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		nl = memchr(buf + len, '\n', (size_t)r);
		len += (size_t)r;
	}
	*nl = '\0';
	*reply = json_tokener_parse(buf);
	rc = 0;
	if (!*reply || !json_object_is_type(*reply, json_type_object)) {
		json_object_put(*reply);
		*reply = NULL;
		rc = -EPROTO;
	}
out:
	free(buf);
	return rc;
}

int client__open(const char *cmd)
{
	const char *path = client__socket();
	int fd;

	if (!path) {
		cmd__fail(cmd, "no control socket: XDG_RUNTIME_DIR is not set; "
			       "use --socket PATH or VFNET_SOCKET");
		return -1;
	}
	fd = client__connect(path);
	if (fd == -ENOENT || fd == -ECONNREFUSED || fd == -ENOTDIR) {
		cmd__fail(cmd, "no vfnet host at %s: start one with `vfnet host`", path);
		return -1;
	}
	if (fd < 0) {
		cmd__fail(cmd, "cannot reach the vfnet host at %s: %s", path, strerror(-fd));
		return -1;
	}
	return fd;
}

/* One request on @fd; with @why, a refusal by the host is not printed but put in @why. */
static int call_on(const char *cmd, int fd, struct json_object *req, struct json_object **reply,
		   int *passed, char *why, size_t whylen)
{
	struct json_object *ok, *err;
	int rc;

	if (passed)
		*passed = -1;
	rc = client__request_fd(fd, req, reply, passed);
	if (rc) {
		rc = cmd__fail(cmd, "no reply from the vfnet host at %s: %s", client__socket(),
			       rc == -EPROTO ? "not a JSON object" : strerror(-rc));
		goto err_passed;
	}
	if (!json_object_object_get_ex(*reply, "ok", &ok) || !json_object_get_boolean(ok)) {
		/* The host phrases its errors for people: passed through as they are. */
		const char *msg = json_object_object_get_ex(*reply, "error", &err)
					  ? json_object_get_string(err)
					  : "the host refused, giving no reason";

		if (why)
			snprintf(why, whylen, "%s", msg);
		rc = why ? EXIT_FAIL : cmd__fail(cmd, "%s", msg);
		json_object_put(*reply);
		*reply = NULL;
		goto err_passed;
	}
	return EXIT_OK;

err_passed:
	if (passed && *passed >= 0) {
		close(*passed);
		*passed = -1;
	}
	return rc;
}

int client__call_on(const char *cmd, int fd, struct json_object *req, struct json_object **reply)
{
	return call_on(cmd, fd, req, reply, NULL, NULL, 0);
}

static int call(const char *cmd, struct json_object *req, struct json_object **reply, int *passed,
		char *why, size_t whylen)
{
	int fd, rc;

	if (passed)
		*passed = -1;
	if ((fd = client__open(cmd)) < 0)
		return EXIT_FAIL;
	rc = call_on(cmd, fd, req, reply, passed, why, whylen);
	close(fd);
	return rc;
}

int client__call_fd(const char *cmd, struct json_object *req, struct json_object **reply,
		    int *passed)
{
	return call(cmd, req, reply, passed, NULL, 0);
}

int client__call(const char *cmd, struct json_object *req, struct json_object **reply)
{
	return client__call_fd(cmd, req, reply, NULL);
}

int client__call_why(const char *cmd, struct json_object *req, struct json_object **reply,
		     char *why, size_t whylen)
{
	if (whylen)
		why[0] = '\0';
	return call(cmd, req, reply, NULL, why, whylen);
}

int client__domain_call(const char *cmd, const char *domain, struct json_object *req,
			struct json_object **reply)
{
	struct json_object *creq = json_object_new_object(), *crep = NULL, *ok, *err;
	int fd, rc;

	json_object_object_add(creq, "op", json_object_new_string("connect"));
	json_object_object_add(creq, "domain", json_object_new_string(domain));
	rc = client__call_fd(cmd, creq, &crep, &fd);
	json_object_put(creq);
	json_object_put(crep);
	if (rc)
		return rc;
	if (fd < 0)
		return cmd__fail(cmd, "the host passed no connection to domain %s", domain);
	rc = client__request(fd, req, reply);
	close(fd);
	if (rc)
		return cmd__fail(cmd, "no reply from domain %s: %s", domain,
				 rc == -EPROTO ? "not a JSON object" : strerror(-rc));
	if (!json_object_object_get_ex(*reply, "ok", &ok) || !json_object_get_boolean(ok)) {
		rc = cmd__fail(cmd, "%s", json_object_object_get_ex(*reply, "error", &err)
						  ? json_object_get_string(err)
						  : "the domain refused without a reason");
		json_object_put(*reply);
		*reply = NULL;
		return rc;
	}
	return EXIT_OK;
}
