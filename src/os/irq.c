/*
 * Interrupt dispatch: the machine posts vectors into the shared page (a VT-d posted-interrupt
 * descriptor) and writes the notification eventfd when no notification was outstanding. The vCPU
 * clears ON, takes the pending bits and runs each vector's handler.
 */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "os_priv.h"
#include "vfnet/irq.h"
#include "vfnet/os.h"

struct vec {
	irq_handler_t fn;
	void *opaque;
	bool used;
	uint64_t count;
};

static struct vec vecs[256] OS_SAVED;
static uint64_t spurious OS_SAVED;

int irq__request(irq_handler_t handler, void *opaque)
{
	for (int v = VFNET_VEC_FIRST + 1; v < 256; v++) {
		if (!vecs[v].used) {
			vecs[v] = (struct vec){.fn = handler, .opaque = opaque, .used = true};
			return v;
		}
	}
	return -ENOSPC;
}

void irq__free(int vector)
{
	if (vector > VFNET_VEC_FIRST && vector < 256)
		vecs[vector] = (struct vec){0};
}

uint64_t irq__count(int vector)
{
	return vector >= 0 && vector < 256 ? vecs[vector].count : 0;
}

void irq__dispatch(void)
{
	uint64_t pending[4];
	bool any = false;

	__atomic_and_fetch(&os.shared->control, ~VFNET_PI_ON, __ATOMIC_SEQ_CST);
	for (int w = 0; w < 4; w++) {
		pending[w] = __atomic_exchange_n(&os.shared->pir[w], 0, __ATOMIC_ACQ_REL);
		any |= pending[w] != 0;
	}
	if (!any)
		return;
	for (int w = 0; w < 4; w++) {
		while (pending[w]) {
			int v = w * 64 + __builtin_ctzll(pending[w]);

			pending[w] &= pending[w] - 1;
			if (vecs[v].fn) {
				vecs[v].count++;
				vecs[v].fn(v, vecs[v].opaque);
			} else {
				spurious++;
			}
		}
	}
}

static void irq_line(void *opaque, uint32_t events)
{
	uint64_t n;

	if (read(os.notify_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	irq__dispatch();
}

static void platform_irq(int vector, void *opaque)
{
	pci__event();
}

int irq__init(void)
{
	struct vfnet_hc_vector v = {.vector = VFNET_VEC_PLATFORM};
	int rc;

	vecs[VFNET_VEC_PLATFORM] = (struct vec){.fn = platform_irq, .used = true};
	if ((rc = os__watch_fd(os.notify_fd, EPOLLIN, irq_line, NULL)))
		return rc;
	return hc__call(VFNET_HC_EVENT_BIND, &v, sizeof(v), NULL, 0, NULL, NULL, 0, NULL);
}
