/*
 * A domain's life: boot (RAM, interrupt line and configuration from the machine), the PCI scan,
 * drivers and apps, then the vCPU loop until shutdown or the machine goes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "os_priv.h"
#include "vfnet/netdev.h"
#include "vfnet/os.h"

struct os_state os OS_SAVED = {.hc_fd = VFNET_HC_FD, .ev_fd = VFNET_EV_FD, .notify_fd = -1, .epfd = -1,
		      .ram_fd = -1, .kick_fd = -1};

unsigned os__domid(void)
{
	return os.domid;
}

bool os__is_dom0(void)
{
	return os.role == VFNET_ROLE_DOM0;
}

const char *os__name(void)
{
	return os.name;
}

const char *os__config_nth(const char *key, unsigned n)
{
	static char val[512];
	size_t klen = strlen(key);

	for (const char *p = os.config; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=' && !n--) {
			size_t vlen = len - klen - 1;

			if (vlen >= sizeof(val))
				vlen = sizeof(val) - 1;
			memcpy(val, p + klen + 1, vlen);
			val[vlen] = '\0';
			return val;
		}
		p += len + (nl ? 1 : 0);
	}
	return NULL;
}

const char *os__config(const char *key)
{
	return os__config_nth(key, 0);
}

/* Returns 1 when the guest resumed from a migration, 0 after a fresh boot, or -errno. */
static int boot(void)
{
	uint8_t buf[VFNET_HC_MAX_DATA];
	struct vfnet_hc_boot b;
	int fds[3] = {-1, -1, -1};
	unsigned nfds = 0;
	size_t got = 0;
	int rc;

	rc = hc__call(VFNET_HC_BOOT, NULL, 0, buf, sizeof(buf), &got, fds, 3, &nfds);
	if (rc || nfds != 3 || got < sizeof(b)) {
		rc = rc ? rc : -EPROTO;
		goto err;
	}
	memcpy(&b, buf, sizeof(b));
	if (b.abi != VFNET_ABI_VERSION) {
		rc = -EPROTO;
		goto err;
	}
	/* At the same address in every domain process, so that pointers into RAM (the heap's)
	 * mean the same in the process a migrated guest resumes in. */
	os.ram = mmap((void *)(uintptr_t)VFNET_RAM_VA, b.ram_bytes, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_FIXED_NOREPLACE, fds[0], 0);
	if (os.ram == MAP_FAILED) {
		rc = -ENOMEM;
		goto err;
	}
	os.ram_bytes = b.ram_bytes;
	{
		/* ps and top show the domain ("vfnet:pa"), not the "exe" of /proc/self/exe */
		char comm[16];

		snprintf(comm, sizeof(comm), "vfnet:%.9s", b.name);
		prctl(PR_SET_NAME, comm);
	}
	if (b.flags & VFNET_BOOT_RESUME) {
		if ((rc = migrate__resume(&b, fds)))
			return rc; /* the descriptors are the process's: it exits */
		return 1;
	}
	os.domid = b.domid;
	os.role = b.role;
	memcpy(os.name, b.name, sizeof(os.name));
	os.name[sizeof(os.name) - 1] = '\0';
	/* A guest's state lives in its RAM from here on (heap.c); dom0 does not migrate. */
	if (os.role == VFNET_ROLE_GUEST && (os.heap_bytes = heap__bytes(os.ram_bytes)) &&
	    heap__init(os.ram + OS_DMA_START, os.heap_bytes))
		os.heap_bytes = 0;
	buf[got - 1] = '\0';
	os.config = strdup((char *)buf + sizeof(b));
	if (!os.config) {
		rc = -ENOMEM;
		goto err;
	}
	os.ram_fd = fds[0]; /* kept: a grant mapping's page is put back from it */
	os.shared = (struct vfnet_shared_page *)os.ram;
	os.notify_fd = fds[1];
	os.kick_fd = fds[2];
	os.store_port = b.store_port;
	return 0;
err:
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	return rc;
}

/*
 * "auto=IF [IF...]" lines: interfaces brought up at boot, as a distribution's network
 * configuration (ifupdown's `auto`) does; dom0 gets "auto=pf0 pf1" from the host.
 */
static void auto_up(void)
{
	const char *line;

	for (unsigned n = 0; (line = os__config_nth("auto", n)); n++) {
		char names[512], *save = NULL;

		snprintf(names, sizeof(names), "%s", line);
		for (char *name = strtok_r(names, " \t", &save); name;
		     name = strtok_r(NULL, " \t", &save)) {
			struct netdev *nd = netdev__get(name);
			int rc = nd ? netdev__open(nd) : -ENODEV;

			if (rc)
				os__log("os", "auto %s: %s", name, strerror(-rc));
			else
				os__log("os", "%s: up (auto)", name);
		}
	}
}

static void machine_gone(void *opaque, uint32_t events)
{
	/* The service socket hangs up only when the machine has let go of us. */
	if (events & (EPOLLHUP | EPOLLERR))
		os__shutdown(0);
	else
		service__accept();
}

int os__run(const struct os_builtin *builtin)
{
	int rc;

	signal(SIGPIPE, SIG_IGN);
	/*
	 * A domain that crashes is destroyed, not dumped (xl's default on_crash="destroy"): its
	 * core would be all of its RAM, written by the kernel at the machine's expense (68 MB and
	 * 60-90 ms of a CPU for a 64 MiB guest, more through a compressing core handler) each
	 * time a guest chooses to crash.
	 */
	prctl(PR_SET_DUMPABLE, 0);
	os.builtin = builtin;
	if ((rc = boot()) < 0) {
		struct vfnet_hc_migrate m = {.cmd = VFNET_MIG_RESUMED, .status = rc};

		/* A resume that failed says so (the machine then keeps the guest where it was). */
		hc__call(VFNET_HC_MIGRATE, &m, sizeof(m), NULL, 0, NULL, NULL, 0, NULL);
		fprintf(stderr, "vfnet domain: boot failed: %s\n", strerror(-rc));
		return 1;
	}
	if (rc == 1)
		goto resumed;
	if ((rc = loop__init()) || (rc = dma__init()) || (rc = irq__init()) ||
	    (rc = evtchn__init()) || (rc = xenbus__init()) ||
	    (rc = netdev__init()) || (rc = service__init()) ||
	    (rc = os__watch_fd(os.ev_fd, EPOLLIN, machine_gone, NULL))) {
		os__log("os", "cannot start the runtime: %s", strerror(-rc));
		return 1;
	}
	os__log("os", "domain %u (%s) up: %llu MiB, %s", os.domid, os.name,
		(unsigned long long)(os.ram_bytes >> 20), os.role == VFNET_ROLE_DOM0 ? "dom0" : "guest");
	apps__init(builtin->apps);
	pci__init();
	pci__scan();
	pci__probe_all();
	/* Events that arrived before the platform vector was bound. */
	pci__event();
	for (void (*const *init)(void) = builtin->inits; init && *init; init++)
		(*init)();
	for (struct xenbus_driver *const *x = builtin->xenbus_drivers; x && *x; x++)
		xenbus__register_driver(*x);
	xenbus__probe_all();
	auto_up();
	if (0) {
		struct vfnet_hc_migrate m;
resumed:
		m = (struct vfnet_hc_migrate){.cmd = VFNET_MIG_RESUMED};
		os__log("os", "domain %u (%s) resumed after migration", os.domid, os.name);
		hc__call(VFNET_HC_MIGRATE, &m, sizeof(m), NULL, 0, NULL, NULL, 0, NULL);
		/* What came while the guest was away: interrupts posted, events queued. */
		irq__dispatch();
		pci__event();
	}
	loop__run();
	os__log("os", "shutting down");
	apps__fini();
	xenbus__fini();
	pci__fini();
	loop__fini();
	return os.exit_status;
}
