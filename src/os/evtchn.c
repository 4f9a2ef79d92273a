/*
 * Event channels in the domain: the upcall handler of the 2-level ABI, port handlers, the
 * posted send path, and the hypercalls that connect and close ports.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "os_priv.h"
#include "vfnet/evtchn.h"
#include "vfnet/irq.h"
#include "vfnet/os.h"

#define WORDS (EVTCHN_2L_NR_CHANNELS / 64)

struct port {
	evtchn_handler_t fn;
	void *opaque;
	uint64_t count;
};

static struct port ports[VFNET_EVTCHN_PORTS] OS_SAVED;
static uint32_t upcall_vector OS_SAVED;
static uint64_t spurious OS_SAVED;

static int op(uint32_t cmd, void *arg, size_t len)
{
	uint8_t buf[64];
	struct vfnet_hc_evtchn h = {.cmd = cmd};
	size_t got = 0;
	int rc;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), arg, len);
	rc = hc__call(VFNET_HC_EVENT_CHANNEL_OP, buf, sizeof(h) + len, buf, sizeof(buf), &got, NULL,
		      0, NULL);
	if (!rc && got == sizeof(h) + len)
		memcpy(arg, buf + sizeof(h), len);
	return rc;
}

static void set_mask(evtchn_port_t port, bool masked)
{
	uint64_t bit = 1ull << (port % 64);

	if (masked)
		__atomic_fetch_or(&os.shared->evtchn_mask[port / 64], bit, __ATOMIC_ACQ_REL);
	else
		__atomic_fetch_and(&os.shared->evtchn_mask[port / 64], ~bit, __ATOMIC_ACQ_REL);
}

/* The upcall: every pending, unmasked port whose word the selector names. */
static void upcall(int vector, void *opaque)
{
	struct vfnet_shared_page *s = os.shared;
	uint64_t sel;

	__atomic_store_n(&s->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
	sel = __atomic_exchange_n(&s->evtchn_pending_sel, 0, __ATOMIC_ACQ_REL);
	while (sel) {
		unsigned w = (unsigned)__builtin_ctzll(sel);
		uint64_t bits;

		sel &= sel - 1;
		bits = __atomic_load_n(&s->evtchn_pending[w], __ATOMIC_ACQUIRE) &
		       ~__atomic_load_n(&s->evtchn_mask[w], __ATOMIC_ACQUIRE);
		while (bits) {
			unsigned b = (unsigned)__builtin_ctzll(bits);
			evtchn_port_t port = w * 64 + b;

			bits &= bits - 1;
			/* Cleared before the handler runs: a send meanwhile is a new edge. */
			__atomic_fetch_and(&s->evtchn_pending[w], ~(1ull << b), __ATOMIC_ACQ_REL);
			if (port < VFNET_EVTCHN_PORTS && ports[port].fn) {
				ports[port].count++;
				ports[port].fn(port, ports[port].opaque);
			} else {
				spurious++;
			}
		}
	}
}

int evtchn__init(void)
{
	struct vfnet_evtchn_upcall u;
	int vector;

	/* Every port masked until a handler is bound. */
	for (unsigned w = 0; w < WORDS; w++)
		__atomic_store_n(&os.shared->evtchn_mask[w], ~0ull, __ATOMIC_RELEASE);
	if ((vector = irq__request(upcall, NULL)) < 0)
		return vector;
	u.vector = upcall_vector = (uint32_t)vector;
	return op(VFNET_EVTCHNOP_set_upcall_vector, &u, sizeof(u));
}

int evtchn__resume(void)
{
	struct vfnet_evtchn_upcall u = {.vector = upcall_vector};

	return op(VFNET_EVTCHNOP_set_upcall_vector, &u, sizeof(u));
}

int evtchn__alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = remote};
	int rc = op(EVTCHNOP_alloc_unbound, &a, sizeof(a));

	if (!rc)
		*port = a.port;
	return rc;
}

int evtchn__bind_interdomain(domid_t remote, evtchn_port_t rport, evtchn_port_t *port)
{
	struct evtchn_bind_interdomain b = {.remote_dom = remote, .remote_port = rport};
	int rc = op(EVTCHNOP_bind_interdomain, &b, sizeof(b));

	if (!rc)
		*port = b.local_port;
	return rc;
}

int evtchn__bind(evtchn_port_t port, evtchn_handler_t fn, void *opaque)
{
	uint64_t bit = 1ull << (port % 64);

	if (port == 0 || port >= VFNET_EVTCHN_PORTS || !fn)
		return -EINVAL;
	ports[port] = (struct port){.fn = fn, .opaque = opaque};
	set_mask(port, false);
	/* Something that came while it was masked runs now. */
	if (__atomic_load_n(&os.shared->evtchn_pending[port / 64], __ATOMIC_ACQUIRE) & bit) {
		__atomic_fetch_and(&os.shared->evtchn_pending[port / 64], ~bit, __ATOMIC_ACQ_REL);
		ports[port].count++;
		fn(port, opaque);
	}
	return 0;
}

void evtchn__unbind(evtchn_port_t port)
{
	if (port == 0 || port >= VFNET_EVTCHN_PORTS)
		return;
	set_mask(port, true);
	ports[port] = (struct port){0};
}

int evtchn__close(evtchn_port_t port)
{
	struct evtchn_close c = {.port = port};

	evtchn__unbind(port);
	return op(EVTCHNOP_close, &c, sizeof(c));
}

void evtchn__notify(evtchn_port_t port)
{
	struct vfnet_shared_page *s = os.shared;
	uint64_t one = 1;

	if (port >= EVTCHN_2L_NR_CHANNELS)
		return;
	__atomic_fetch_or(&s->evtchn_send[port / 64], 1ull << (port % 64), __ATOMIC_RELEASE);
	/* Kick only when the hypervisor has taken everything posted before. */
	if (!__atomic_exchange_n(&s->evtchn_send_on, 1, __ATOMIC_ACQ_REL))
		if (write(os.kick_fd, &one, sizeof(one)) < 0)
			(void)0; /* only a saturated counter fails, and that is a kick already */
}

uint64_t evtchn__count(evtchn_port_t port)
{
	return port < VFNET_EVTCHN_PORTS ? ports[port].count : 0;
}
