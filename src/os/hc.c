/* The hypercall client: one synchronous request at a time on the domain's socket. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "os_priv.h"

int hc__call(unsigned op, const void *args, size_t alen, void *out, size_t outlen, size_t *got,
	     int *fds, unsigned maxfds, unsigned *nfds)
{
	uint8_t buf[VFNET_HC_MAX_MSG];
	struct vfnet_hc_req req = {.op = (uint16_t)op, .len = (uint16_t)alen, .seq = ++os.hc_seq};
	struct vfnet_hc_rep rep;
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	unsigned n = 0;
	ssize_t r;

	if (alen > VFNET_HC_MAX_DATA)
		return -E2BIG;
	memcpy(buf, &req, sizeof(req));
	if (alen)
		memcpy(buf + sizeof(req), args, alen);
	os.hypercalls++;
	do
		r = send(os.hc_fd, buf, sizeof(req) + alen, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -EIO;
	do
		r = recvmsg(os.hc_fd, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	/* Descriptors first, whatever the rest looks like, so that none leaks. */
	for (struct cmsghdr *cm = r > 0 ? CMSG_FIRSTHDR(&msg) : NULL; cm;
	     cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (fds && n < maxfds)
				fds[n++] = fd;
			else
				close(fd);
		}
	}
	if (r < (ssize_t)sizeof(rep) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		while (n)
			close(fds[--n]);
		if (nfds)
			*nfds = 0;
		return -EIO;
	}
	memcpy(&rep, buf, sizeof(rep));
	if (nfds)
		*nfds = n;
	if (rep.seq != req.seq || (size_t)r < sizeof(rep) + rep.len)
		return -EIO;
	if (out) {
		size_t k = rep.len < outlen ? rep.len : outlen;

		memcpy(out, buf + sizeof(rep), k);
		if (k < outlen)
			memset((uint8_t *)out + k, 0, outlen - k);
		if (got)
			*got = k;
	}
	return rep.status;
}
