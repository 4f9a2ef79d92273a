/*
 * The guest's part of its live migration (the machine's is src/vmm/migrate.c).
 *
 * Dirty logging. The machine copies RAM while the guest runs and must learn which pages the
 * guest wrote since. The guest's vCPU writes through this process's mapping of RAM, so it is this
 * process that asks the kernel to log them: a userfaultfd over all of RAM in asynchronous
 * write-protect mode (Linux 6.7: the kernel resolves the fault itself and marks the page
 * written, no handler thread), which the machine reads and re-arms atomically with the
 * PAGEMAP_SCAN ioctl on /proc/PID/pagemap. Soft-dirty bits would need no help from the guest but
 * are absent from kernels built without CONFIG_MEM_SOFT_DIRTY (this one reports none), and
 * mprotect would make system calls that write into RAM fail with EFAULT instead of faulting.
 * A guest that does not log (or lies) only harms itself: the machine then copies every page in
 * every round.
 *
 * Suspend. At the top of the vCPU loop (between events, nothing half done) the runtime saves
 * what lives outside RAM into the save area (VFNET_SAVE_AREA): its OS_SAVED variables, with the
 * build of the program they belong to; timers note their time left; tools' connections close.
 * The heap is in RAM already. It then answers VFNET_MIG_SUSPENDED and waits for the reply,
 * which comes only if the migration failed: then it goes on where it was.
 *
 * Resume. A process booted with VFNET_BOOT_RESUME finds the heap where it was (RAM is at the
 * same address in every domain process, and the machine starts domains without address space
 * randomisation, so the program and its functions are where they were too), copies the saved
 * variables back and makes the descriptors they name again at the same numbers: the RAM,
 * interrupt line and send kick the machine gave it, the epoll set, the timers. The hypervisor's
 * state of a new domain is bound again (platform vector, upcall vector, xenstore port and
 * watches). Then the vCPU loop goes on from where the old process left it.
 */
#include <errno.h>
#include <fcntl.h>
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "os_priv.h"

/* Linux 6.7's asynchronous write-protect mode, for older uapi headers. */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif

#define SAVE_MAGIC   0x4556415354454e56ull /* "VNETSAVE" */
#define SAVE_VERSION 1
#define BUILD_ID_MAX 32

struct save_hdr {
	uint64_t magic;
	uint32_t version;
	uint32_t build_id_len;
	uint8_t build_id[BUILD_ID_MAX];
	uint64_t saved_start; /* address and size of the OS_SAVED section */
	uint64_t saved_len;
	uint64_t ram_bytes;
	uint64_t heap_bytes;
};

extern char __start_vfnet_saved[], __stop_vfnet_saved[];

static int uffd = -1; /* this process's: a resumed guest starts without */

/* The GNU build ID of the program (its notes, found through the auxiliary vector), so that saved
 * state goes only into the same program. */
static void build_id(struct save_hdr *h)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);
	uintptr_t bias = 0;

	if (!ph)
		return;
	for (unsigned long i = 0; i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (uintptr_t)ph - ph[i].p_vaddr;
	for (unsigned long i = 0; i < n; i++) {
		const uint8_t *p = (const uint8_t *)(bias + ph[i].p_vaddr);
		const uint8_t *end = p + ph[i].p_memsz;

		if (ph[i].p_type != PT_NOTE)
			continue;
		while (p + sizeof(Elf64_Nhdr) <= end) {
			const Elf64_Nhdr *nh = (const void *)p;
			const uint8_t *name = p + sizeof(*nh);
			const uint8_t *desc = name + ((nh->n_namesz + 3) & ~3u);

			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(name, "GNU", 4) && nh->n_descsz <= BUILD_ID_MAX) {
				h->build_id_len = nh->n_descsz;
				memcpy(h->build_id, desc, nh->n_descsz);
				return;
			}
			p = desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
}

static void fill_hdr(struct save_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->magic = SAVE_MAGIC;
	h->version = SAVE_VERSION;
	build_id(h);
	h->saved_start = (uint64_t)(uintptr_t)__start_vfnet_saved;
	h->saved_len = (uint64_t)(__stop_vfnet_saved - __start_vfnet_saved);
	h->ram_bytes = os.ram_bytes;
	h->heap_bytes = os.heap_bytes;
}

static void answer(uint32_t cmd, int status, uint64_t bytes, int *reply)
{
	struct vfnet_hc_migrate m = {.cmd = cmd, .status = status, .bytes = bytes};
	int rc = hc__call(VFNET_HC_MIGRATE, &m, sizeof(m), NULL, 0, NULL, NULL, 0, NULL);

	if (reply)
		*reply = rc;
}

static int dirty_log_start(void)
{
	struct uffdio_api api = {.api = UFFD_API,
				 .features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED |
					     UFFD_FEATURE_WP_HUGETLBFS_SHMEM};
	struct uffdio_register reg = {.range = {(uintptr_t)os.ram, os.ram_bytes},
				      .mode = UFFDIO_REGISTER_MODE_WP};
	struct uffdio_writeprotect wp = {.range = {(uintptr_t)os.ram, os.ram_bytes},
					 .mode = UFFDIO_WRITEPROTECT_MODE_WP};
	int rc;

	if (uffd >= 0)
		return 0;
	if ((uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK)) < 0)
		return -errno;
	if (ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg) ||
	    ioctl(uffd, UFFDIO_WRITEPROTECT, &wp)) {
		rc = -errno;
		close(uffd);
		uffd = -1;
		return rc;
	}
	return 0;
}

static void dirty_log_stop(void)
{
	if (uffd >= 0)
		close(uffd); /* unregisters: the pages are writable again */
	uffd = -1;
}

void migrate__event(uint32_t type)
{
	int rc;

	switch (type) {
	case VFNET_EV_MIGRATE_START:
		rc = dirty_log_start();
		if (rc)
			os__log("migrate", "cannot log writes to RAM: %s", strerror(-rc));
		answer(VFNET_MIG_DIRTY_LOG, rc, 0, NULL);
		break;
	case VFNET_EV_MIGRATE_SUSPEND:
		os.mig_suspend = true; /* at the top of the loop */
		break;
	case VFNET_EV_MIGRATE_END:
		dirty_log_stop();
		break;
	}
}

static int save(char *why, size_t len, uint64_t *bytes)
{
	struct save_hdr h;
	int rc;

	if (!heap__interposed()) {
		snprintf(why, len, "this build's runtime does not keep its heap in RAM");
		return -EOPNOTSUPP;
	}
	if (!heap__active() || heap__overflowed()) {
		snprintf(why, len, "the runtime's heap in RAM %s",
			 heap__active() ? "ran out: state lives outside RAM" : "is missing");
		return -ENOMEM;
	}
	service__drop_all();
	if ((rc = loop__suspend(why, len)))
		return rc;
	fill_hdr(&h);
	if (sizeof(h) + h.saved_len > VFNET_SAVE_AREA_SIZE) {
		snprintf(why, len, "%llu bytes of state do not fit the save area",
			 (unsigned long long)h.saved_len);
		return -E2BIG;
	}
	memcpy(os.ram + VFNET_SAVE_AREA, &h, sizeof(h));
	memcpy(os.ram + VFNET_SAVE_AREA + sizeof(h), __start_vfnet_saved, h.saved_len);
	*bytes = sizeof(h) + h.saved_len;
	return 0;
}

void migrate__suspend(void)
{
	char why[160] = "";
	uint64_t bytes = 0;
	int rc, reply;

	os.mig_suspend = false;
	rc = save(why, sizeof(why), &bytes);
	if (rc) {
		os__log("migrate", "cannot suspend: %s", why);
		answer(VFNET_MIG_SUSPENDED, rc, 0, NULL);
		return;
	}
	/* From here the machine copies the last pages; a reply means it gave up. */
	answer(VFNET_MIG_SUSPENDED, 0, bytes, &reply);
	os__log("migrate", "migration failed (%s): running on here", strerror(-reply));
}

int migrate__resume(const struct vfnet_hc_boot *b, int fds[3])
{
	const struct save_hdr *saved = (const void *)(os.ram + VFNET_SAVE_AREA);
	struct vfnet_hc_vector v = {.vector = VFNET_VEC_PLATFORM};
	uint8_t *ram = os.ram;
	uint64_t heap_bytes = heap__bytes(b->ram_bytes);
	struct save_hdr mine;
	uint32_t old_store;
	int rc, hi[3];

	fill_hdr(&mine);
	mine.ram_bytes = b->ram_bytes;
	mine.heap_bytes = heap_bytes;
	if (saved->magic != SAVE_MAGIC || saved->version != SAVE_VERSION ||
	    saved->build_id_len != mine.build_id_len ||
	    memcmp(saved->build_id, mine.build_id, sizeof(mine.build_id)) ||
	    saved->saved_start != mine.saved_start || saved->saved_len != mine.saved_len ||
	    saved->ram_bytes != mine.ram_bytes || saved->heap_bytes != mine.heap_bytes)
		return -EPROTO; /* another program, or no saved guest */
	if ((rc = heap__adopt(ram + OS_DMA_START, heap_bytes)))
		return rc;
	for (int i = 0; i < 3; i++)
		hi[i] = os__fd_high(fds[i]);
	memcpy(__start_vfnet_saved, (const uint8_t *)saved + sizeof(*saved), saved->saved_len);
	/* Who we are now: another domain, the same guest. */
	old_store = os.store_port;
	os.domid = b->domid;
	os.store_port = b->store_port;
	os.stop = false;
	os.mig_suspend = false;
	os.hc_fd = VFNET_HC_FD;
	os.ev_fd = VFNET_EV_FD;
	if (dup3(hi[0], os.ram_fd, O_CLOEXEC) < 0 || dup3(hi[1], os.notify_fd, O_CLOEXEC) < 0 ||
	    dup3(hi[2], os.kick_fd, O_CLOEXEC) < 0)
		return -errno;
	for (int i = 0; i < 3; i++)
		close(hi[i]);
	if ((rc = loop__resume()))
		return rc;
	if ((rc = hc__call(VFNET_HC_EVENT_BIND, &v, sizeof(v), NULL, 0, NULL, NULL, 0, NULL)) ||
	    (rc = evtchn__resume()) || (rc = xenbus__resume(old_store)))
		return rc;
	return 0;
}
