/*
 * Batched datagram I/O shared by the socket backends (afpacket, peer): one sendmmsg or recvmmsg per
 * WIRE_SOCK_BATCH frames, straight from and into the caller's buffers, failures dropped and
 * counted.
 */
#ifndef VFNET_HW_NIC_WIRE_SOCK_H
#define VFNET_HW_NIC_WIRE_SOCK_H

#include <sys/socket.h>

#include "hw/nic/wire.h"

#define WIRE_SOCK_BATCH 64

/*
 * Per-wire scratch, so that no batch allocates: message headers and, for backends that look at
 * them, the senders' addresses (names, namelen bytes each) and ancillary data (control,
 * controllen bytes each), WIRE_SOCK_BATCH of each.
 */
struct wire_sock {
	struct mmsghdr msgs[WIRE_SOCK_BATCH];
	struct iovec iov[WIRE_SOCK_BATCH];
	void *names;
	socklen_t namelen;
	void *control;
	size_t controllen;
};

/* Why a send failed with err (never EAGAIN). LINK_DOWN drops the rest of the batch too. */
typedef enum wire_drop wire_sock_why(struct wire *w, int err);

/*
 * Look at a received frame in b (b->len set, b->cap its room): return 0 to keep it, -1 to skip it
 * without counting (it was never ours), or 1 + a wire_drop reason to drop and count it.
 */
typedef int wire_sock_filter(struct wire *w, const struct msghdr *m, struct wire_buf *b);

int wire_sock__send(struct wire *w, struct wire_sock *s, const struct wire_frame *frames,
		    unsigned n, wire_sock_why *why);
int wire_sock__recv(struct wire *w, struct wire_sock *s, struct wire_buf *bufs, unsigned n,
		    wire_sock_filter *filter);

#endif
