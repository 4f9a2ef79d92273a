#include "vmm/domain.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hw/iommu/posted.h"
#include "lib/log.h"
#include "vmm/hv.h"
#include "vmm/hypercall.h"
#include "vmm/loop.h"
#include "vmm/migrate.h"
#include "vmm/passthrough.h"
#include "vmm/vif.h"
#include "vmm/xenstore.h"
#include "vmm/xs_domain.h"

static bool name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n >= VFNET_NAME_LEN || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

#define TRAP_UNIT_NS  (1000000000ll / DOMAIN_TRAP_RATE)
#define TRAP_BURST_NS ((int64_t)DOMAIN_TRAP_BURST * TRAP_UNIT_NS)
#define TRAP_RESUME_NS (16 * TRAP_UNIT_NS) /* 8 ms at the default rate */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int domain__create(struct hv *hv, const struct domain_config *cfg, struct domain **out)
{
	struct domain *d;
	char rname[MEM_NAME_LEN];
	unsigned id;
	int rc;

	if (!name_ok(cfg->name) || !cfg->mem_mib || cfg->mem_mib > HV_MAX_RAM_MIB ||
	    (cfg->role != VFNET_ROLE_DOM0 && cfg->role != VFNET_ROLE_GUEST))
		return -EINVAL;
	if (cfg->config && strlen(cfg->config) >= DOMAIN_MAX_CONFIG)
		return -E2BIG;
	if (hv__domain_by_name(hv, cfg->name))
		return -EEXIST;
	if (cfg->role == VFNET_ROLE_DOM0) {
		if (hv->dom[0])
			return -EEXIST;
		id = 0;
	} else {
		unsigned start = hv->next_domid ? hv->next_domid : 1, n;

		for (n = 0, id = start; n < HV_MAX_DOMAINS - 1 && hv->dom[id]; n++)
			id = id % (HV_MAX_DOMAINS - 1) + 1;
		if (n == HV_MAX_DOMAINS - 1)
			return -ENOSPC;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->hv = hv;
	d->id = id;
	d->role = cfg->role;
	d->on_crash = cfg->on_crash;
	snprintf(d->name, sizeof(d->name), "%s", cfg->name);
	d->notify_fd = d->hc_fd = d->ev_fd = d->pidfd = -1;
	d->gen = ++hv->next_gen;
	d->store_port = -1;
	hv_gnttab__init(&d->gt);
	d->evt.kick_fd = -1;
	d->ram_bytes = (uint64_t)cfg->mem_mib << 20;
	d->ram_maddr = HV_DOM_RAM_BASE + id * HV_DOM_RAM_STRIDE;
	d->log = calloc(1, DOMAIN_LOG_SIZE);
	d->config = strdup(cfg->config ? cfg->config : "");
	if (!d->log || !d->config) {
		rc = -ENOMEM;
		goto err;
	}
	d->config_len = strlen(d->config);
	snprintf(rname, sizeof(rname), "dom%u %.24s", id, d->name);
	if ((rc = mem__add(&hv->m->mem, rname, d->ram_maddr, d->ram_bytes, &d->ram)))
		goto err;
	d->shared = (struct vfnet_shared_page *)d->ram->host;
	domain__init_shared(d);

	if ((rc = dma_domain__create(&d->dma, &hv->m->hv, hv->m->iommu, (uint16_t)(id + 1), 0)))
		goto err_ram;
	d->dma_ready = true;
	if ((rc = dma_domain__map(&d->dma, 0, d->ram_maddr, d->ram_bytes,
				  IOMMU_READ | IOMMU_WRITE)))
		goto err_dma;
	d->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->notify_fd < 0) {
		rc = -errno;
		goto err_dma;
	}
	if ((rc = hv_evtchn__init(d)))
		goto err_notify;
	if ((rc = d->store_port = hv_evtchn__bind_virq(d, VFNET_VIRQ_XENSTORE)) < 0)
		goto err_evtchn;
	clock_gettime(CLOCK_MONOTONIC, &d->started);
	d->traps.budget_ns = TRAP_BURST_NS;
	d->traps.last_ns = mono_ns();
	__atomic_store_n(&hv->irqdest[id].notify_fd, d->notify_fd, __ATOMIC_RELEASE);
	hv->dom[id] = d;
	if (id)
		hv->next_domid = id % (HV_MAX_DOMAINS - 1) + 1;
	xenstore__introduce(hv->xs, id);
	if ((rc = xs_domain__add(hv, d))) {
		domain__destroy(d);
		return rc;
	}
	*out = d;
	return 0;
err_evtchn:
	hv_evtchn__fini(hv, d);
err_notify:
	__atomic_store_n(&hv->irqdest[id].notify_fd, -1, __ATOMIC_RELEASE);
	close(d->notify_fd);
err_dma:
	dma_domain__destroy(&d->dma);
err_ram:
	mem__remove(&hv->m->mem, d->ram_maddr);
err:
	free(d->config);
	free(d->log);
	free(d);
	return rc;
}

void domain__init_shared(struct domain *d)
{
	uint64_t pir[4];

	/* The posted-interrupt descriptor: notification vector 0 (unused: the eventfd notifies),
	 * destination = domain id. Vectors already pending (a migrated guest's) stay pending. */
	memcpy(pir, d->shared->pir, sizeof(pir));
	pi_desc__init((struct pi_desc *)d->shared, 0, d->id);
	memcpy(d->shared->pir, pir, sizeof(pir));
	d->shared->domid = d->id;
	d->shared->role = d->role;
	d->shared->ram_bytes = d->ram_bytes;
	memcpy(d->shared->name, d->name, sizeof(d->name));
}

/* ---- serving the hypercall socket ---- */

static void domain_gone(struct domain *d)
{
	pr_info("vmm", "domain %u (%s) is gone", d->id, d->name);
	if (d->hv->dom_exit)
		d->hv->dom_exit(d->hv->dom_exit_opaque, d);
	if (d->role == VFNET_ROLE_GUEST && domain__crashed(d))
		return; /* preserved, or restarted as a new domain */
	domain__destroy(d);
}

static void send_reply(struct domain *d, const struct hc_reply *rep)
{
	struct iovec iov = {.iov_base = (void *)rep, .iov_len = sizeof(rep->hdr) + rep->hdr.len};
	union {
		char buf[CMSG_SPACE(sizeof(int) * HC_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (rep->hdr.nfds) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * rep->hdr.nfds);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * rep->hdr.nfds);
		memcpy(CMSG_DATA(cm), rep->fds, sizeof(int) * rep->hdr.nfds);
	}
	/* A synchronous caller always has room for its reply: one that does not read them is
	 * not waited for. */
	if (sendmsg(d->hc_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		d->hc_dropped++;
}

/*
 * Descriptors in flight count against the machine's RLIMIT_NOFILE while they sit unread in a
 * domain's socket. A synchronous caller has read every earlier reply before it asks again, so a
 * reply with descriptors goes out only to a socket with nothing unread; otherwise it becomes
 * -EAGAIN without them, and a domain that never reads cannot pin descriptors of the machine.
 */
static void send_reply_checked(struct domain *d, struct hc_reply *rep)
{
	int outq = 0;

	if (rep->hdr.nfds && (ioctl(d->hc_fd, SIOCOUTQ, &outq) || outq > 0)) {
		rep->hdr.status = -EAGAIN;
		rep->hdr.len = 0;
		rep->hdr.nfds = 0;
		d->hc_dropped++;
	}
	send_reply(d, rep);
}

/* Descriptors a domain sent us (the protocol has none in this direction): the reaper closes
 * them, since closing one can block. */
static void reap_passed_fds(struct hv *hv, struct msghdr *msg)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int fd;

			for (size_t i = 0; i < n; i++) {
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				hv__reap_fd(hv, fd);
			}
		}
	}
}

/* ---- the budget of trapped accesses ---- */

static void trap_refill(struct domain_traps *t, uint64_t now)
{
	uint64_t dt = now - t->last_ns;

	t->last_ns = now;
	t->budget_ns = dt >= (uint64_t)(TRAP_BURST_NS - t->budget_ns) ? TRAP_BURST_NS
								       : t->budget_ns + (int64_t)dt;
}

void domain__trap(struct domain *d, unsigned cost)
{
	struct domain_traps *t = &d->traps;

	t->served++;
	t->cost += cost;
	if (d->role == VFNET_ROLE_DOM0)
		return;
	trap_refill(t, mono_ns());
	t->budget_ns -= (int64_t)cost * TRAP_UNIT_NS;
}

static void domain_hc_io(void *opaque, uint32_t events);

static void trap_resume(void *opaque, uint32_t events)
{
	struct domain *d = opaque;
	struct domain_traps *t = &d->traps;
	uint64_t now = mono_ns();

	t->timer = 0; /* fired: the loop has let go of it */
	t->wait_ns += now - t->paused_ns;
	trap_refill(t, now);
	if (vloop__mod(d->hv->loop, d->hc_fd, EPOLLIN))
		domain_gone(d);
}

/* Over budget: stop reading the guest's calls until one access is paid for again. */
static bool trap_pause(struct domain *d)
{
	struct domain_traps *t = &d->traps;
	int timer;

	if (d->role == VFNET_ROLE_DOM0 || t->budget_ns > 0 || !d->hv->loop)
		return false;
	/* Woken when a few accesses are paid for, not each one: fewer wake-ups to pay for. */
	timer = vloop__timer(d->hv->loop, (uint64_t)(TRAP_RESUME_NS - t->budget_ns), trap_resume,
			     d);
	if (timer < 0)
		return false; /* no timer to wake it: served as before, never stuck */
	if (vloop__mod(d->hv->loop, d->hc_fd, 0)) {
		vloop__cancel(d->hv->loop, timer);
		return false;
	}
	t->timer = timer;
	t->delayed++;
	t->paused_ns = mono_ns();
	return true;
}

static void domain_hc_io(void *opaque, uint32_t events)
{
	struct domain *d = opaque;
	static uint8_t buf[VFNET_HC_MAX_MSG + 1];
	static struct hc_reply rep;

	if (d->traps.timer > 0) {
		/* Waiting for its budget: only a hang-up is heard (epoll reports it anyway). */
		if (events & (EPOLLHUP | EPOLLERR))
			domain_gone(d);
		return;
	}
	for (unsigned i = 0; i < DOMAIN_HC_BUDGET; i++) {
		union {
			char b[CMSG_SPACE(sizeof(int) * 4)];
			struct cmsghdr align;
		} u;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = u.b,
				     .msg_controllen = sizeof(u.b)};
		struct timespec t0, t1;
		ssize_t n = recvmsg(d->hc_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			domain_gone(d); /* EOF: the process closed its socket or died */
			return;
		}
		if (msg.msg_controllen) {
			/* Hostile by definition: a domain never sends descriptors. */
			reap_passed_fds(d->hv, &msg);
			d->hc_dropped++;
			pr_warn("vmm", "domain %u (%s) sent descriptors on its hypercall socket: "
				       "destroyed", d->id, d->name);
			domain_gone(d);
			return;
		}
		if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
			d->hc_dropped++;
			n = 0; /* answered as malformed below */
		}
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		hypercall__handle(d->hv, d, buf, (size_t)n, &rep);
		if (rep.defer) {
			d->hc_deferred = true;
			d->deferred_seq = rep.hdr.seq;
		} else {
			send_reply_checked(d, &rep);
		}
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		d->hc_ns += (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ull +
			    (uint64_t)(t1.tv_nsec - t0.tv_nsec);
		if (d->dying) {
			domain_gone(d);
			return;
		}
		if (trap_pause(d))
			return;
	}
}

void domain__answer(struct domain *d, struct hc_reply *rep)
{
	if (!d->hc_deferred || d->hc_fd < 0)
		return;
	d->hc_deferred = false;
	rep->hdr.seq = d->deferred_seq;
	send_reply_checked(d, rep);
}

/* The domain posted event channel sends: the hypervisor's work, charged to the sender. */
static void domain_kick_io(void *opaque, uint32_t events)
{
	struct domain *d = opaque;
	struct timespec t0, t1;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	hv_evtchn__kick(d->hv, d);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	d->hc_ns += (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ull +
		    (uint64_t)(t1.tv_nsec - t0.tv_nsec);
}

static void domain_exit_io(void *opaque, uint32_t events)
{
	domain_gone(opaque);
}

int domain__serve(struct domain *d, int hc_fd, int ev_fd, pid_t pid)
{
	int rc;

	d->pid = pid;
	d->hc_fd = hc_fd;
	d->ev_fd = ev_fd;
	d->pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
#ifdef SO_PASSRIGHTS
	/* Where the kernel can refuse descriptors on a socket (Linux 6.16), it does. */
	setsockopt(d->hc_fd, SOL_SOCKET, SO_PASSRIGHTS, &(int){0}, sizeof(int));
#endif
	if ((rc = vloop__add(d->hv->loop, d->hc_fd, EPOLLIN, domain_hc_io, d)))
		return rc; /* domain__destroy kills and reaps */
	if ((rc = vloop__add(d->hv->loop, d->evt.kick_fd, EPOLLIN, domain_kick_io, d)))
		return rc;
	if (d->pidfd >= 0 && (rc = vloop__add(d->hv->loop, d->pidfd, EPOLLIN, domain_exit_io, d)))
		return rc;
	if (pid > 0)
		pr_info("vmm", "domain %u (%s) started, pid %d", d->id, d->name, (int)pid);
	return 0;
}

int domain__spawn(struct domain *d)
{
	int hc[2], ev[2], rc;
	sigset_t all;
	pid_t pid;
	char *argv[] = {"vfnet", "domain", NULL};

	if (!d->hv->loop || !d->hv->exe)
		return -EINVAL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, hc))
		return -errno;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ev)) {
		rc = -errno;
		goto err_hc;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto err_ev;
	}
	if (pid == 0) {
		/* The child: only async-signal-safe calls until exec. Both ends go above the
		 * target numbers first, so that neither dup2 clobbers the other's source (and
		 * a source already at its target loses close-on-exec all the same). */
		int h = fcntl(hc[1], F_DUPFD, VFNET_EV_FD + 1);
		int e = fcntl(ev[1], F_DUPFD, VFNET_EV_FD + 1);

		if (h < 0 || e < 0 || dup2(h, VFNET_HC_FD) < 0 || dup2(e, VFNET_EV_FD) < 0)
			_exit(127);
		syscall(SYS_close_range, VFNET_EV_FD + 1, ~0u, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpgid(0, 0); /* the terminal's ^C is for the machine, which stops its domains */
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		/* Every domain process has the same layout: a migrated guest's pointers (into
		 * the program, into RAM at VFNET_RAM_VA) mean the same in the one that resumes. */
		personality(ADDR_NO_RANDOMIZE);
		execv(d->hv->exe, argv);
		_exit(127);
	}
	close(hc[1]);
	close(ev[1]);
	return domain__serve(d, hc[0], ev[0], pid);
err_ev:
	close(ev[0]);
	close(ev[1]);
err_hc:
	close(hc[0]);
	close(hc[1]);
	return rc;
}

/* The process and what it reaches; the caller has set d->dying. Safe to call twice. */
static void stop(struct domain *d)
{
	struct hv *hv = d->hv;

	/* Its devices first: reset, cut off from its memory, back to the pool. */
	passthrough__release_domain(hv, d);
	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		while (waitpid(d->pid, NULL, 0) < 0 && errno == EINTR)
			;
		d->pid = 0;
	}
	if (hv->loop) {
		if (d->traps.timer > 0)
			vloop__cancel(hv->loop, d->traps.timer);
		d->traps.timer = 0;
		if (d->hc_fd >= 0)
			vloop__del(hv->loop, d->hc_fd);
		if (d->pidfd >= 0)
			vloop__del(hv->loop, d->pidfd);
		if (d->evt.kick_fd >= 0)
			vloop__del(hv->loop, d->evt.kick_fd);
	}
	if (d->hc_fd >= 0)
		close(d->hc_fd);
	if (d->ev_fd >= 0)
		close(d->ev_fd);
	if (d->pidfd >= 0)
		close(d->pidfd);
	d->hc_fd = d->ev_fd = d->pidfd = -1;
	/* No interrupt can name it any more (its entries are gone): let the engines finish any
	 * delivery that started before, then close the line. */
	__atomic_store_n(&hv->irqdest[d->id].notify_fd, -1, __ATOMIC_RELEASE);
	hv__quiesce(hv);
	if (d->notify_fd >= 0)
		close(d->notify_fd);
	d->notify_fd = -1;
	/* Its ports (peers' ends go unbound), its mappings, its grants, its xenstore. */
	hv_evtchn__fini(hv, d);
	hv_gnttab__release(hv, d);
	if (hv->dom[d->id] == d) {
		xenstore__release(hv->xs, d->id);
		/* As the toolstack does: a guest's devices go, dom0's backends wait for the next. */
		if (d->role == VFNET_ROLE_DOM0)
			vif__backend_gone(hv);
		else
			vif__release_domain(hv, d);
		xs_domain__remove(hv, d);
	}
}

void domain__stop(struct domain *d)
{
	if (d->mig)
		migrate__domain_gone(d);
	d->cpu_ns_left = domain__cpu_ns(d); /* a zombie's /proc still has it */
	d->dying = true; /* nobody may reach it while it goes (its functions are not told) */
	stop(d);
	d->dying = false;
	d->crashed = true;
}

void domain__destroy(struct domain *d)
{
	struct hv *hv;

	if (!d)
		return;
	hv = d->hv;
	if (d->mig)
		migrate__domain_gone(d); /* the migration fails; the guest stays where it runs */
	d->dying = true;
	stop(d);
	if (d->dma_ready)
		dma_domain__destroy(&d->dma);
	if (d->ram)
		mem__remove(&hv->m->mem, d->ram_maddr);
	hv->dom[d->id] = NULL;
	free(d->config);
	free(d->log);
	free(d);
}

int domain__add_config(struct domain *d, const char *line)
{
	size_t n = strlen(line);
	bool nl = d->config_len && d->config[d->config_len - 1] != '\n'; /* end the last line */
	char *c;

	if (d->booted)
		return -EBUSY;
	if (d->config_len + nl + n >= DOMAIN_MAX_CONFIG)
		return -E2BIG;
	if (!(c = realloc(d->config, d->config_len + nl + n + 1)))
		return -ENOMEM;
	if (nl)
		c[d->config_len++] = '\n';
	memcpy(c + d->config_len, line, n + 1);
	d->config = c;
	d->config_len += n;
	return 0;
}

void domain__log(struct domain *d, const void *buf, size_t len)
{
	const char *p = buf;

	if (len > DOMAIN_LOG_SIZE) {
		p += len - DOMAIN_LOG_SIZE;
		d->log_bytes += len - DOMAIN_LOG_SIZE;
		len = DOMAIN_LOG_SIZE;
	}
	while (len) {
		size_t at = d->log_bytes % DOMAIN_LOG_SIZE;
		size_t n = DOMAIN_LOG_SIZE - at < len ? DOMAIN_LOG_SIZE - at : len;

		memcpy(d->log + at, p, n);
		d->log_bytes += n;
		p += n;
		len -= n;
	}
}

size_t domain__log_read(const struct domain *d, char *buf, size_t size)
{
	uint64_t have = d->log_bytes < DOMAIN_LOG_SIZE ? d->log_bytes : DOMAIN_LOG_SIZE;
	uint64_t from;
	size_t n = 0;

	if (have > size)
		have = size;
	from = d->log_bytes - have;
	while (n < have) {
		size_t at = (from + n) % DOMAIN_LOG_SIZE;
		size_t k = DOMAIN_LOG_SIZE - at < have - n ? DOMAIN_LOG_SIZE - at : have - n;

		memcpy(buf + n, d->log + at, k);
		n += k;
	}
	return n;
}

void domain__post(struct domain *d, uint8_t vector)
{
	struct hv_irqdest *dest = &d->hv->irqdest[d->id];
	uint64_t one = 1;

	__atomic_fetch_add(&dest->interrupts, 1, __ATOMIC_RELAXED);
	if (pi_desc__post((struct pi_desc *)d->shared, vector, true)) {
		__atomic_fetch_add(&dest->notifies, 1, __ATOMIC_RELAXED);
		if (write(d->notify_fd, &one, sizeof(one)) < 0)
			(void)0; /* a full counter still wakes the domain */
	}
}

int domain__event(struct domain *d, uint32_t type, uint16_t rid)
{
	if (d->ev_count == DOMAIN_MAX_EVENTS) {
		d->ev_lost++;
		return -ENOSPC;
	}
	d->events[(d->ev_head + d->ev_count++) % DOMAIN_MAX_EVENTS] =
		(struct vfnet_hc_event){.type = type, .rid = rid};
	if (d->ev_vector)
		domain__post(d, d->ev_vector);
	return 0;
}

int domain__connect(struct domain *d, int fd)
{
	char byte = 'c';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *cm;

	if (d->ev_fd < 0 || d->dying)
		return -ESRCH;
	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(d->ev_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -errno : 0;
}

char domain__state(const struct domain *d)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	if (d->crashed)
		return 'c';
	if (d->pid <= 0)
		return '-';
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)d->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '-';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '-';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || !p[1] || !p[2])
		return '-';
	/* xl's r (running on a CPU) and b (blocked, waiting for an event). */
	return p[2] == 'R' ? 'r' : 'b';
}

uint64_t domain__cpu_ns(const struct domain *d)
{
	char path[64], buf[1024], *p;
	unsigned long utime, stime;
	long hz = sysconf(_SC_CLK_TCK);
	ssize_t n;
	int fd;

	if (d->crashed)
		return d->cpu_ns_left;
	if (d->pid <= 0)
		return 0;
	/* The vCPU's time on a CPU in ns (schedstat), not the 10 ms ticks of stat. */
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)d->pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		unsigned long long ns;

		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (sscanf(buf, "%llu", &ns) == 1 && ns)
				return ns;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)d->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* Field 2 is "(comm)", which may contain spaces: count fields from its closing paren. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
			 &stime) != 2 || hz <= 0)
		return 0;
	return (uint64_t)(utime + stime) * (1000000000ull / (uint64_t)hz);
}
