/*
 * "cable": a crossover cable between port 0 and port 1 of one NIC. ring[p] carries what port p
 * sends to the other port; port p's engine is its only producer, the other port's its only
 * consumer. Attaching and detaching take a mutex, frames never do.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hw/nic/wire.h"
#include "hw/nic/wire_ring.h"
#include "lib/compiler.h"
#include "lib/log.h"

struct wire_cable {
	pthread_mutex_t lock;
	struct wire_ring ring[2];
	uint32_t attached[2]; /* read by the other end's engine on every batch */
	unsigned ends;
};

struct cable_end {
	struct wire wire;
	struct wire_cable *cable;
};

static struct cable_end *to_end(struct wire *w)
{
	return container_of(w, struct cable_end, wire);
}

int wire_cable__create(struct wire_cable **out)
{
	/* The rings' cache-line alignment is more than calloc promises. */
	struct wire_cable *c = aligned_alloc(_Alignof(struct wire_cable), sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	rc = -pthread_mutex_init(&c->lock, NULL);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void wire_cable__destroy(struct wire_cable *c)
{
	if (!c)
		return;
	if (c->ends)
		pr_warn("wire", "cable destroyed with %u end(s) still attached", c->ends);
	wire_ring__fini(&c->ring[0]);
	wire_ring__fini(&c->ring[1]);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int cable_attach(struct wire_cable *c, unsigned port)
{
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	if (c->attached[port]) {
		pr_err("wire", "cable: port %u is already attached", port);
		rc = -EBUSY;
		goto out;
	}
	if (!c->ends) {
		rc = wire_ring__init(&c->ring[0]);
		if (rc)
			goto err_log;
		rc = wire_ring__init(&c->ring[1]);
		if (rc)
			goto err_ring0;
	}
	/* Frames sent to us before a previous detach are stale: we are a new consumer. */
	wire_ring__drain(&c->ring[!port]);
	c->ends++;
	__atomic_store_n(&c->attached[port], 1, __ATOMIC_RELEASE);
	goto out;

err_ring0:
	wire_ring__fini(&c->ring[0]);
err_log:
	pr_err("wire", "cable: cannot allocate rings: %s", strerror(-rc));
out:
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static void cable_detach(struct wire_cable *c, unsigned port)
{
	pthread_mutex_lock(&c->lock);
	__atomic_store_n(&c->attached[port], 0, __ATOMIC_RELEASE);
	if (!--c->ends) {
		wire_ring__fini(&c->ring[0]);
		wire_ring__fini(&c->ring[1]);
	}
	pthread_mutex_unlock(&c->lock);
}

static int cable_open(struct wire **out, const char *arg, struct wire_cable *c, unsigned port)
{
	struct cable_end *e;
	int rc;

	if (!c) {
		pr_err("wire", "cable: this port has no cable to attach to");
		return -EINVAL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	rc = cable_attach(c, port);
	if (rc) {
		free(e);
		return rc;
	}
	e->cable = c;
	e->wire.fd = c->ring[!port].efd;
	*out = &e->wire;
	return 0;
}

static bool cable_link_up(struct wire *w)
{
	struct cable_end *e = to_end(w);

	return __atomic_load_n(&e->cable->attached[!w->port], __ATOMIC_ACQUIRE);
}

static int cable_send(struct wire *w, const struct wire_frame *frames, unsigned n)
{
	struct cable_end *e = to_end(w);

	if (!cable_link_up(w)) {
		wire__tx_drop(w, WIRE_DROP_LINK_DOWN, n);
		return 0;
	}
	return wire_ring__send(&e->cable->ring[w->port], w, frames, n);
}

static int cable_recv(struct wire *w, struct wire_buf *bufs, unsigned n)
{
	return wire_ring__recv(&to_end(w)->cable->ring[!w->port], w, bufs, n);
}

static void cable_close(struct wire *w)
{
	struct cable_end *e = to_end(w);

	cable_detach(e->cable, w->port);
	free(e);
}

const struct wire_ops wire_cable_ops = {
    .kind = "cable",
    .usage = "cable",
    .open = cable_open,
    .send = cable_send,
    .recv = cable_recv,
    .link_up = cable_link_up,
    .close = cable_close,
};
