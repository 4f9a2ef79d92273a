/* The wire seam: spec parsing, the registry of backends, and what every backend shares. */
#include "hw/nic/wire.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "lib/compiler.h"
#include "lib/log.h"

static const struct wire_ops *const wire_kinds[] = {
    &wire_cable_ops, &wire_loop_ops,	 &wire_null_ops, &wire_pcap_ops,
    &wire_tap_ops,   &wire_afpacket_ops, &wire_peer_ops,
};

static const char *const drop_names[WIRE_DROP_NR] = {
    [WIRE_DROP_FULL] = "ring_full",	 [WIRE_DROP_AGAIN] = "would_block",
    [WIRE_DROP_TOO_LONG] = "too_long",	 [WIRE_DROP_TOO_SHORT] = "too_short",
    [WIRE_DROP_LINK_DOWN] = "link_down", [WIRE_DROP_ERROR] = "error",
};

const char *wire_drop__name(enum wire_drop why)
{
	return (unsigned)why < WIRE_DROP_NR ? drop_names[why] : "unknown";
}

static void wire__usage(const char *spec, const char *why)
{
	char kinds[256];
	size_t off = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(wire_kinds) && off < sizeof(kinds); i++)
		off += (size_t)snprintf(kinds + off, sizeof(kinds) - off, "%s%s", i ? ", " : "",
					wire_kinds[i]->usage);
	pr_err("wire", "'%s': %s (expected one of: %s)", spec, why, kinds);
}

int wire__open(struct wire **out, const char *spec, struct wire_cable *cable, unsigned port)
{
	const struct wire_ops *ops = NULL;
	const char *colon, *arg = NULL;
	struct wire *w;
	size_t kind_len;
	int rc;

	*out = NULL;
	if (!spec || !*spec) {
		wire__usage("", "empty wire spec");
		return -EINVAL;
	}
	if (strlen(spec) >= WIRE_SPEC_MAX) {
		pr_err("wire", "'%.32s...': spec longer than %d bytes", spec, WIRE_SPEC_MAX - 1);
		return -EINVAL;
	}
	colon = strchr(spec, ':');
	kind_len = colon ? (size_t)(colon - spec) : strlen(spec);
	for (unsigned i = 0; i < ARRAY_SIZE(wire_kinds); i++)
		if (strlen(wire_kinds[i]->kind) == kind_len &&
		    !memcmp(wire_kinds[i]->kind, spec, kind_len))
			ops = wire_kinds[i];
	if (!ops) {
		wire__usage(spec, "unknown wire kind");
		return -EINVAL;
	}
	if (colon)
		arg = colon + 1;
	if (ops->has_arg && (!arg || !*arg)) {
		pr_err("wire", "'%s': missing argument, expected %s", spec, ops->usage);
		return -EINVAL;
	}
	if (!ops->has_arg && arg) {
		pr_err("wire", "'%s': %s takes no argument", spec, ops->kind);
		return -EINVAL;
	}
	if (port > 1) {
		pr_err("wire", "'%s': port %u does not exist (the 82576 has ports 0 and 1)", spec,
		       port);
		return -EINVAL;
	}
	rc = ops->open(&w, arg, cable, port);
	if (rc)
		return rc;
	w->ops = ops;
	w->port = port;
	snprintf(w->spec, sizeof(w->spec), "%s", spec);
	pr_debug("wire", "port %u: %s open (fd %d)", port, spec, w->fd);
	*out = w;
	return 0;
}

void wire__close(struct wire *w)
{
	if (w)
		w->ops->close(w);
}

int wire__send(struct wire *w, const struct wire_frame *frames, unsigned n)
{
	return n ? w->ops->send(w, frames, n) : 0;
}

int wire__recv(struct wire *w, struct wire_buf *bufs, unsigned n)
{
	return n ? w->ops->recv(w, bufs, n) : 0;
}

bool wire__link_up(struct wire *w)
{
	return w->ops->link_up(w);
}

static uint64_t load(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void wire__stats(const struct wire *w, struct wire_stats *out)
{
	const struct wire_stats *s = &w->stats;

	out->tx_frames = load(&s->tx_frames);
	out->tx_bytes = load(&s->tx_bytes);
	out->rx_frames = load(&s->rx_frames);
	out->rx_bytes = load(&s->rx_bytes);
	for (unsigned i = 0; i < WIRE_DROP_NR; i++) {
		out->tx_drops[i] = load(&s->tx_drops[i]);
		out->rx_drops[i] = load(&s->rx_drops[i]);
	}
}

size_t wire__tx_len(struct wire *w, const struct wire_frame *f)
{
	size_t len = 0;

	for (unsigned i = 0; i < f->iovcnt; i++) {
		/* Compare before adding: a hostile length must not wrap the sum. */
		if (f->iov[i].iov_len > WIRE_FRAME_MAX - len) {
			wire__tx_drop(w, WIRE_DROP_TOO_LONG, 1);
			return 0;
		}
		len += f->iov[i].iov_len;
	}
	if (len < WIRE_FRAME_MIN) {
		wire__tx_drop(w, WIRE_DROP_TOO_SHORT, 1);
		return 0;
	}
	return len;
}

void wire_frame__gather(const struct wire_frame *f, void *dst)
{
	uint8_t *p = dst;

	for (unsigned i = 0; i < f->iovcnt; i++) {
		if (f->iov[i].iov_len)
			memcpy(p, f->iov[i].iov_base, f->iov[i].iov_len);
		p += f->iov[i].iov_len;
	}
}

bool wire__ifname_ok(const char *name)
{
	size_t len = strlen(name);

	if (!len || len >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *c = name; *c; c++)
		if (*c == '/' || *c == ':' || *c == ' ' || (*c >= '\t' && *c <= '\r'))
			return false;
	return true;
}
