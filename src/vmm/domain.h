/*
 * A domain: one child process of the machine with its RAM (a memfd region of machine memory), a
 * DMA page table mapping all of that RAM at IOVA = guest-physical address, a shared page holding
 * its posted-interrupt descriptor, a notification eventfd, a hypercall socket, a log (what
 * `vfnet dmesg` shows) and a queue of platform events (hot-plug).
 *
 * Lifecycle: domain__create (resources, no process) -> domain__spawn (the process, served from
 * the loop) -> domain__destroy (functions taken back and reset, process killed and reaped,
 * resources freed). A domain that dies on its own is destroyed from the loop.
 */
#ifndef VFNET_VMM_DOMAIN_H
#define VFNET_VMM_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "hw/iommu/pgtable.h"
#include "hw/mem/memory.h"
#include "vmm/evtchn.h"
#include "vmm/gnttab.h"
#include "vfnet/abi.h"

#define DOMAIN_LOG_SIZE	   (64u << 10)
#define DOMAIN_MAX_EVENTS  32
#define DOMAIN_MAX_CONFIG  4000 /* bytes of runtime configuration handed over at boot */
#define DOMAIN_HC_BUDGET   32	/* hypercalls served per wakeup before others get a turn */

/*
 * Trapped accesses (config space, the MSI-X table, BAR mapping) run on the machine's control
 * thread and, through it, on the NIC's engines and in dom0 (an FLR is a VF reset dom0 handles):
 * a guest may make DOMAIN_TRAP_RATE of them per second, DOMAIN_TRAP_BURST at once (a boot's PCI
 * scan and driver probe take a few hundred). One beyond its budget is served, and then the
 * guest's hypercall socket is not read until the budget has refilled: its vCPU waits in its
 * synchronous call, as a Xen guest's vCPU pays for its own traps. dom0 is not limited.
 */
#define DOMAIN_TRAP_RATE  2000u
#define DOMAIN_TRAP_BURST 1000u
#define DOMAIN_TRAP_FLR	  100u /* what a function-level reset costs */
#define DOMAIN_TRAP_MAP	  10u  /* mapping BAR0 (a broken request ring is made anew) */

struct domain_traps {
	int64_t budget_ns; /* allowance: refills at 1 ns a ns, an access costs 1 s / RATE */
	uint64_t last_ns;  /* of the last refill */
	uint64_t served;   /* trapped accesses served (dom0's too) */
	uint64_t cost;     /* their cost, in accesses (an FLR counts DOMAIN_TRAP_FLR) */
	uint64_t delayed;  /* accesses that waited for the budget */
	uint64_t wait_ns;  /* how long, in all */
	uint64_t paused_ns; /* when the current wait began */
	int timer;	    /* > 0 while the guest waits */
};

/* The boot reply carries it after struct vfnet_hc_boot, NUL included. */
_Static_assert(DOMAIN_MAX_CONFIG + 1 + sizeof(struct vfnet_hc_boot) <= VFNET_HC_MAX_DATA,
	       "the runtime configuration fits the boot reply");

struct hv;

/* What happens when a guest's process dies by itself (xl.cfg's on_crash); see on_crash.c. */
enum domain_on_crash {
	DOMAIN_CRASH_DESTROY,  /* gone; its functions back to the pool */
	DOMAIN_CRASH_RESTART,  /* a new domain, same name, memory, runtime config and functions */
	DOMAIN_CRASH_PRESERVE, /* kept as crashed (its log, its name and id) until destroyed */
};

struct domain_config {
	const char *name;     /* [A-Za-z0-9_.-], unique */
	enum vfnet_role role;
	unsigned mem_mib;     /* 1 .. HV_MAX_RAM_MIB */
	const char *config;   /* lines for the domain's runtime (apps, ip), or NULL */
	enum domain_on_crash on_crash;
};

struct domain {
	struct hv *hv;
	unsigned id;
	uint64_t gen; /* this instance of the id: grants and ports of a dead domain name another */
	char name[VFNET_NAME_LEN];
	enum vfnet_role role;
	bool dying;
	bool booted; /* VFNET_HC_BOOT answered */
	enum domain_on_crash on_crash;
	bool crashed;	      /* preserved after a crash: no process, no devices */
	unsigned restarts;    /* times on_crash = restart has started it again */
	uint64_t cpu_ns_left; /* a crashed domain's CPU time when it died */

	uint64_t ram_bytes;
	uint64_t ram_maddr;
	const struct mem_region *ram;
	struct vfnet_shared_page *shared; /* the machine's view of page 0 */
	struct dma_domain dma;
	bool dma_ready;

	int notify_fd; /* eventfd: the domain's interrupt line */
	int hc_fd;     /* our end of the hypercall socket */
	int ev_fd;     /* our end of the service socket */
	pid_t pid;
	int pidfd;
	struct timespec started;

	char *config;
	size_t config_len;

	char *log; /* DOMAIN_LOG_SIZE ring */
	uint64_t log_bytes; /* written in total; the ring keeps the last DOMAIN_LOG_SIZE */

	struct vfnet_hc_event events[DOMAIN_MAX_EVENTS];
	unsigned ev_head, ev_count;
	uint64_t ev_lost;
	uint8_t ev_vector; /* 0: platform events not bound */

	struct gnttab gt;
	struct evtchn_table evt;
	int store_port; /* event channel of its xenstore watch events */

	/* Live migration (migrate.c): the one this domain is the source or destination of. */
	struct migration *mig;
	bool incoming;	   /* a destination: its boot waits for the guest's RAM, then resumes it */
	bool resume_ready; /* ... the RAM is here */
	bool hc_deferred;  /* a hypercall to answer later (domain__answer) */
	uint32_t deferred_seq;

	uint64_t hypercalls, hc_errors, hc_ns;
	uint64_t hc_dropped; /* malformed transport (oversize, fds sent to us) */
	struct domain_traps traps;
};

int domain__create(struct hv *hv, const struct domain_config *cfg, struct domain **out);
/* Start the process and serve it from the hypervisor's loop. */
int domain__spawn(struct domain *d);
/* Serve a domain whose process already has the other ends of @hc_fd and @ev_fd (both owned
 * from here on); @pid 0 for none (tests play the domain on these sockets themselves). */
int domain__serve(struct domain *d, int hc_fd, int ev_fd, pid_t pid);
void domain__destroy(struct domain *d);
/* Its process and everything the process reached (functions, sockets, interrupt line) go; the
 * domain stays, crashed, with its RAM and log, until domain__destroy. */
void domain__stop(struct domain *d);
/*
 * The guest's process died by itself (on_crash.c): what its on_crash says. true when that was
 * done (preserved, or restarted as a new domain: @d is gone either way), false when the caller
 * destroys it. A process that exited with status 0 shut down rather than crashed: false.
 */
bool domain__crashed(struct domain *d);
/* Append a line to the runtime configuration of a domain not yet booted (-EBUSY after, -E2BIG
 * beyond DOMAIN_MAX_CONFIG). */
int domain__add_config(struct domain *d, const char *line);

/* Append to the domain's log; the oldest bytes go when it is full. */
void domain__log(struct domain *d, const void *buf, size_t len);
/* Copies out what the log holds (at most @size bytes, the newest); returns the length. */
size_t domain__log_read(const struct domain *d, char *buf, size_t size);

/* Queue a platform event and post the domain's platform vector, if bound. */
int domain__event(struct domain *d, uint32_t type, uint16_t rid);

/* Hand a connected socket to the domain's service loop (SCM_RIGHTS on its service socket). */
int domain__connect(struct domain *d, int fd);

/* 'r' when the domain's vCPU is running, 'b' when it waits for an event, 'c' after a crash it was
 * preserved for, '-' without a process. */
char domain__state(const struct domain *d);
/* CPU time of the domain's process in ns (0 when it has none). */
uint64_t domain__cpu_ns(const struct domain *d);

/* Sends the reply of the hypercall that was deferred (rep->defer), if one is outstanding. */
struct hc_reply;
void domain__answer(struct domain *d, struct hc_reply *rep);
/* The machine's fields of the shared page (posted-interrupt descriptor, who the domain is),
 * as domain__create sets them; pending vectors are kept. */
void domain__init_shared(struct domain *d);
/* A trapped access of @cost (1 for most) was served for @d; its budget pays (a guest's). */
void domain__trap(struct domain *d, unsigned cost);

/* Post @vector into the domain's shared page; notify when no notification is outstanding. */
void domain__post(struct domain *d, uint8_t vector);

#endif
