/* "null": an unplugged port whose PHY still reports link. Frames leave and go nowhere. */
#include <errno.h>
#include <stdlib.h>

#include "hw/nic/wire.h"

static int null_open(struct wire **out, const char *arg, struct wire_cable *cable, unsigned port)
{
	struct wire *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->fd = -1;
	*out = w;
	return 0;
}

static int null_send(struct wire *w, const struct wire_frame *frames, unsigned n)
{
	uint64_t bytes = 0;
	int sent = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t len = wire__tx_len(w, &frames[i]);

		if (len) {
			bytes += len;
			sent++;
		}
	}
	wire__tx_count(w, (uint64_t)sent, bytes);
	return sent;
}

static int null_recv(struct wire *w, struct wire_buf *bufs, unsigned n)
{
	return 0;
}

static bool null_link_up(struct wire *w)
{
	return true;
}

static void null_close(struct wire *w)
{
	free(w);
}

const struct wire_ops wire_null_ops = {
    .kind = "null",
    .usage = "null",
    .open = null_open,
    .send = null_send,
    .recv = null_recv,
    .link_up = null_link_up,
    .close = null_close,
};
