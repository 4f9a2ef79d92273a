/* "loop": a port that receives what it sends, as with a loopback plug. One ring, one engine. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/nic/wire.h"
#include "hw/nic/wire_ring.h"
#include "lib/compiler.h"
#include "lib/log.h"

struct loop_wire {
	struct wire wire;
	struct wire_ring ring;
};

static struct wire_ring *to_ring(struct wire *w)
{
	return &container_of(w, struct loop_wire, wire)->ring;
}

static int loop_open(struct wire **out, const char *arg, struct wire_cable *cable, unsigned port)
{
	struct loop_wire *l = aligned_alloc(_Alignof(struct loop_wire), sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	rc = wire_ring__init(&l->ring);
	if (rc) {
		pr_err("wire", "loop: cannot set up the ring: %s", strerror(-rc));
		free(l);
		return rc;
	}
	l->wire = (struct wire){.fd = l->ring.efd};
	*out = &l->wire;
	return 0;
}

static int loop_send(struct wire *w, const struct wire_frame *frames, unsigned n)
{
	return wire_ring__send(to_ring(w), w, frames, n);
}

static int loop_recv(struct wire *w, struct wire_buf *bufs, unsigned n)
{
	return wire_ring__recv(to_ring(w), w, bufs, n);
}

static bool loop_link_up(struct wire *w)
{
	return true;
}

static void loop_close(struct wire *w)
{
	wire_ring__fini(to_ring(w));
	free(container_of(w, struct loop_wire, wire));
}

const struct wire_ops wire_loop_ops = {
    .kind = "loop",
    .usage = "loop",
    .open = loop_open,
    .send = loop_send,
    .recv = loop_recv,
    .link_up = loop_link_up,
    .close = loop_close,
};
