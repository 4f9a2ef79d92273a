/* Batched datagram send and receive for the socket backends. */
#include "hw/nic/wire_sock.h"

#include <errno.h>
#include <string.h>

#include "lib/compiler.h"

int wire_sock__send(struct wire *w, struct wire_sock *s, const struct wire_frame *frames,
		    unsigned n, wire_sock_why *why)
{
	uint64_t bytes = 0;
	unsigned i = 0;
	int sent = 0;

	while (i < n) {
		unsigned k = 0;

		for (; i < n && k < WIRE_SOCK_BATCH; i++) {
			if (!wire__tx_len(w, &frames[i]))
				continue;
			/* The kernel only reads the segments; msghdr just is not const-correct. */
			s->msgs[k++].msg_hdr = (struct msghdr){
			    .msg_iov = (struct iovec *)frames[i].iov,
			    .msg_iovlen = frames[i].iovcnt,
			};
		}
		for (unsigned j = 0; j < k;) {
			int r = sendmmsg(w->fd, s->msgs + j, k - j, MSG_DONTWAIT | MSG_NOSIGNAL);
			enum wire_drop reason;
			bool rest;

			if (r > 0) {
				for (unsigned m = j; m < j + (unsigned)r; m++)
					bytes += s->msgs[m].msg_len;
				sent += r;
				j += (unsigned)r;
				continue;
			}
			if (errno == EINTR)
				continue;
			/* A full socket or a dead link will not take the rest either. */
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				reason = WIRE_DROP_AGAIN;
				rest = true;
			} else {
				reason = why(w, errno);
				rest = reason == WIRE_DROP_LINK_DOWN;
			}
			if (rest) {
				wire__tx_drop(w, reason, (k - j) + (n - i));
				goto out;
			}
			wire__tx_drop(w, reason, 1);
			j++;
		}
	}
out:
	wire__tx_count(w, (uint64_t)sent, bytes);
	return sent;
}

static void wire_sock__prepare(struct wire_sock *s, struct wire_buf *bufs, unsigned want)
{
	for (unsigned j = 0; j < want; j++) {
		s->iov[j] = (struct iovec){bufs[j].data, bufs[j].cap};
		s->msgs[j].msg_hdr = (struct msghdr){
		    .msg_iov = &s->iov[j],
		    .msg_iovlen = 1,
		    .msg_name = s->names ? (char *)s->names + j * s->namelen : NULL,
		    .msg_namelen = s->namelen,
		    .msg_control = s->control ? (char *)s->control + j * s->controllen : NULL,
		    .msg_controllen = s->controllen,
		};
	}
}

static int wire_sock__verdict(struct wire *w, const struct msghdr *m, struct wire_buf *b,
			      wire_sock_filter *filter)
{
	if (m->msg_flags & MSG_TRUNC)
		return 1 + WIRE_DROP_TOO_LONG;
	if (b->len < WIRE_FRAME_MIN)
		return 1 + WIRE_DROP_TOO_SHORT;
	return filter ? filter(w, m, b) : 0;
}

int wire_sock__recv(struct wire *w, struct wire_sock *s, struct wire_buf *bufs, unsigned n,
		    wire_sock_filter *filter)
{
	uint64_t bytes = 0;
	unsigned got = 0;
	int rc = 0;

	while (got < n) {
		unsigned want = MIN(n - got, WIRE_SOCK_BATCH), keep = got;
		int r;

		wire_sock__prepare(s, bufs + got, want);
		r = recvmmsg(w->fd, s->msgs, want, MSG_DONTWAIT, NULL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* ENETDOWN: AF_PACKET's one-shot report that the interface went down. */
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENETDOWN)
				rc = -errno;
			break;
		}
		for (unsigned j = 0; j < (unsigned)r; j++) {
			struct wire_buf *src = &bufs[got + j], *dst = &bufs[keep];
			int verdict;

			src->len = s->msgs[j].msg_len;
			verdict = wire_sock__verdict(w, &s->msgs[j].msg_hdr, src, filter);
			if (verdict > 0)
				wire__rx_drop(w, (enum wire_drop)(verdict - 1), 1);
			if (verdict)
				continue;
			if (dst != src) {
				/*
				 * A frame before this one was dropped: close the gap, so that the
				 * caller gets bufs[0..got) filled. dst's own frame is gone already.
				 */
				if (src->len > dst->cap) {
					wire__rx_drop(w, WIRE_DROP_TOO_LONG, 1);
					continue;
				}
				memcpy(dst->data, src->data, src->len);
				dst->len = src->len;
			}
			bytes += dst->len;
			keep++;
		}
		got = keep;
		if ((unsigned)r < want)
			break;
	}
	if (got)
		wire__rx_count(w, got, bytes);
	return got ? (int)got : rc;
}
