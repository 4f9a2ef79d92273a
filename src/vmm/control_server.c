/*
 * The control socket's server: listening, one connection per tool, one JSON line in and one out,
 * replies that wait for the hypervisor (control__defer/complete) and descriptors passed with a
 * reply. Requests themselves are control__handle's (control.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/control.h"
#include "vmm/control_priv.h"
#include "vmm/loop.h"

/* ---- the socket ---- */

static int make_dirs(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if (!(slash = strrchr(dir, '/')) || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int control__listen(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, probe, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	if ((rc = make_dirs(path)))
		return rc;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		goto listen;
	rc = -errno;
	if (rc != -EADDRINUSE)
		goto err;
	/* Something is there: a live server keeps it; a socket nobody listens on is stale. */
	if (lstat(path, &st) || !S_ISSOCK(st.st_mode)) {
		rc = -EEXIST;
		goto err;
	}
	if ((probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		rc = -errno;
		goto err;
	}
	rc = connect(probe, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : -EADDRINUSE;
	close(probe);
	if (rc != -ECONNREFUSED)
		goto err;
	if (unlink(path) || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = -errno;
		goto err;
	}
listen:
	if (listen(fd, CONTROL_MAX_CLIENTS)) {
		rc = -errno;
		unlink(path);
		goto err;
	}
	return fd;
err:
	close(fd);
	return rc;
}

struct client {
	struct control *c;
	int fd;                               /* -1: free slot */
	size_t in_len;
	char in[CONTROL_MAX_REQUEST + 1];     /* one more than a request and its newline allow */
	char *out;                            /* reply being sent */
	size_t out_len, out_off;
	bool close_after;                     /* the reply is an error that ends the connection */
	int pass_fd;                          /* goes with the reply's first byte; -1: none */
	bool waiting;                         /* its request is answered later (control__defer) */
	uint32_t gen;                         /* bumped when the slot takes a new connection */
};

static uint64_t client_token(struct control *c, struct client *cl)
{
	return (uint64_t)cl->gen << 32 | ((uint64_t)(cl - c->clients) + 1);
}

static void client_drop(struct client *cl)
{
	/* What lives only as long as this connection (a capture) ends with it. */
	control_capture__client_gone(cl->c, client_token(cl->c, cl));
	vloop__del(cl->c->loop, cl->fd);
	close(cl->fd);
	free(cl->out);
	cl->fd = -1;
	cl->out = NULL;
	cl->in_len = 0;
	cl->close_after = false;
	cl->waiting = false;
	if (cl->pass_fd >= 0)
		close(cl->pass_fd);
	cl->pass_fd = -1;
}

static int client_reply(struct client *cl, char *reply);

uint64_t control__client(struct control *c)
{
	return c->current && c->loop ? client_token(c, c->current) : 0;
}

uint64_t control__defer(struct control *c)
{
	uint64_t token = control__client(c);

	if (token)
		c->deferred = true;
	return token;
}

void control__complete(void *control, uint64_t token, int rc)
{
	struct control *c = control;
	unsigned slot = (unsigned)(token & 0xffffffffu);
	struct client *cl;
	char *reply;

	if (!slot || slot > CONTROL_MAX_CLIENTS || !c->clients)
		return;
	cl = &c->clients[slot - 1];
	/* Gone, or the slot holds another connection now: nobody to tell. */
	if (cl->fd < 0 || !cl->waiting || cl->gen != (uint32_t)(token >> 32))
		return;
	cl->waiting = false;
	if (asprintf(&reply, rc ? "{\"ok\":false,\"error\":\"%s\"}" : "{\"ok\":true}",
		     strerror(-rc)) < 0 || client_reply(cl, reply)) {
		client_drop(cl);
		return;
	}
	vloop__mod(c->loop, cl->fd, EPOLLOUT);
}

void control__complete_json(void *control, uint64_t token, struct json_object *reply)
{
	struct control *c = control;
	unsigned slot = (unsigned)(token & 0xffffffffu);
	struct client *cl;
	char *line;

	if (!slot || slot > CONTROL_MAX_CLIENTS || !c->clients)
		return;
	cl = &c->clients[slot - 1];
	if (cl->fd < 0 || !cl->waiting || cl->gen != (uint32_t)(token >> 32))
		return;
	cl->waiting = false;
	if (!(line = strdup(json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN))) ||
	    client_reply(cl, line)) {
		client_drop(cl);
		return;
	}
	vloop__mod(c->loop, cl->fd, EPOLLOUT);
}

int control__pass_fd(struct control *c, int fd)
{
	struct client *cl = c->current;

	if (!cl || cl->pass_fd >= 0)
		return -EINVAL;
	cl->pass_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return cl->pass_fd < 0 ? -errno : 0;
}

/* The reply's first bytes carry the descriptor, if there is one. */
static ssize_t client_send(struct client *cl)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = cl->out + cl->out_off, .iov_len = cl->out_len - cl->out_off};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;
	ssize_t n;

	if (cl->pass_fd < 0)
		return send(cl->fd, iov.iov_base, iov.iov_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	memset(&u, 0, sizeof(u));
	msg.msg_control = u.b;
	msg.msg_controllen = sizeof(u.b);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &cl->pass_fd, sizeof(int));
	n = sendmsg(cl->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n > 0) {
		close(cl->pass_fd);
		cl->pass_fd = -1;
	}
	return n;
}

static int client_reply(struct client *cl, char *reply)
{
	size_t n;

	if (!reply)
		return -ENOMEM;
	n = strlen(reply);
	cl->out = realloc(reply, n + 2);
	if (!cl->out) {
		free(reply);
		return -ENOMEM;
	}
	memcpy(cl->out + n, "\n", 2);
	cl->out_len = n + 1;
	cl->out_off = 0;
	return 0;
}

/* Handle the next complete line, if there is one and no reply is still being sent. */
static int client_pump(struct control *c, struct client *cl)
{
	char *nl;
	size_t len;

	while (!cl->out && !cl->waiting && !c->stopping) {
		nl = memchr(cl->in, '\n', cl->in_len);
		if (!nl) {
			if (cl->in_len < sizeof(cl->in))
				return 0;
			/* No newline within the limit: refuse and hang up, since we cannot tell
			 * where the next request would begin. */
			cl->in_len = 0;
			cl->close_after = true;
			return client_reply(cl, control__handle(c, cl->in, sizeof(cl->in)));
		}
		len = (size_t)(nl - cl->in);
		if (len && cl->in[len - 1] == '\r')
			len--;
		c->current = cl;
		if (len) {
			char *reply = control__handle(c, cl->in, len);

			if (c->deferred) {
				/* The answer comes later, from control__complete. */
				c->deferred = false;
				cl->waiting = true;
				free(reply);
			} else if (client_reply(cl, reply)) {
				c->current = NULL;
				return -ENOMEM;
			}
		}
		c->current = NULL;
		cl->in_len -= (size_t)(nl + 1 - cl->in);
		memmove(cl->in, nl + 1, cl->in_len);
	}
	return 0;
}

/* Stopping: once every reply already made (shutdown's among them) has gone out. */
static void maybe_stop(struct control *c)
{
	if (!c->stopping)
		return;
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0 && c->clients[i].out)
			return;
	vloop__stop(c->loop);
}

static void client_io(void *opaque, uint32_t events)
{
	struct client *cl = opaque;
	struct control *c = cl->c;
	ssize_t n;

	if (cl->out && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		n = client_send(cl);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			client_drop(cl);
			goto out;
		}
		if (n > 0 && (cl->out_off += (size_t)n) == cl->out_len) {
			free(cl->out);
			cl->out = NULL;
			if (cl->close_after) {
				client_drop(cl);
				goto out;
			}
		}
	} else if (!cl->out && (events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
		n = recv(cl->fd, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			/* Gone, perhaps mid-line: what it sent dies with it. */
			client_drop(cl);
			goto out;
		}
		if (n > 0)
			cl->in_len += (size_t)n;
	}
	if (client_pump(c, cl))
		client_drop(cl);
	else
		vloop__mod(c->loop, cl->fd, cl->out ? EPOLLOUT : EPOLLIN);
out:
	maybe_stop(c);
}

static void accept_one(void *opaque, uint32_t events)
{
	static const char busy[] = "{\"ok\":false,\"error\":\"too many clients\"}\n";
	struct control *c = opaque;
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0 || c->stopping) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct client *cl = &c->clients[i];

		if (cl->fd < 0) {
			cl->fd = fd;
			cl->gen++;
			if (vloop__add(c->loop, fd, EPOLLIN, client_io, cl)) {
				close(fd);
				cl->fd = -1;
			}
			return;
		}
	}
	if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		(void)0; /* it is being refused either way */
	close(fd);
}

int control__attach(struct control *c, struct vloop *loop, int listen_fd)
{
	int rc;

	if (c->loop)
		return -EBUSY;
	c->clients = calloc(CONTROL_MAX_CLIENTS, sizeof(*c->clients));
	if (!c->clients)
		return -ENOMEM;
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		c->clients[i].fd = -1;
		c->clients[i].pass_fd = -1;
		c->clients[i].c = c;
	}
	c->loop = loop;
	c->listen_fd = listen_fd;
	rc = vloop__add(loop, listen_fd, EPOLLIN, accept_one, c);
	if (rc) {
		free(c->clients);
		c->clients = NULL;
		c->loop = NULL;
	}
	return rc;
}

void control_server__detach(struct control *c)
{
	if (!c->loop)
		return;
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			client_drop(&c->clients[i]);
	vloop__del(c->loop, c->listen_fd);
	free(c->clients);
	c->clients = NULL;
	c->loop = NULL;
}
