/*
 * A domain's grant table: GNTTAB_FRAMES pages of its RAM, named to the hypervisor at first use,
 * a free list of references, and the copy, map and unmap hypercalls.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "os_priv.h"
#include "vfnet/dma.h"
#include "vfnet/gnttab.h"
#include "vfnet/os.h"

#define GNTTAB_FRAMES 8
#define NR_REFS	      (GNTTAB_FRAMES * GNTTAB_ENTRIES_PER_FRAME)
#define PAGE	      4096u

static struct grant_entry_v1 *table OS_SAVED;
static grant_ref_t free_refs[NR_REFS] OS_SAVED;
static unsigned nfree OS_SAVED;
static bool ready OS_SAVED;

static int table_init(void)
{
	struct {
		struct vfnet_hc_gnttab h;
		struct gnttab_setup_table s;
	} req = {.h = {.cmd = GNTTABOP_setup_table, .count = 1},
		 .s = {.dom = DOMID_SELF, .nr_frames = GNTTAB_FRAMES}};
	uint64_t bus;
	int rc;

	if (ready)
		return 0;
	if (!(table = dma__alloc(GNTTAB_FRAMES * PAGE, &bus)))
		return -ENOMEM;
	for (unsigned i = 0; i < GNTTAB_FRAMES; i++)
		req.s.frame_list[i] = bus / PAGE + i;
	rc = hc__call(VFNET_HC_GRANT_TABLE_OP, &req, sizeof(req), &req, sizeof(req), NULL, NULL, 0,
		      NULL);
	if (rc || req.s.status) {
		dma__free(table, GNTTAB_FRAMES * PAGE);
		table = NULL;
		return rc ? rc : -EIO;
	}
	/* References 0..7 stay reserved, as on Xen; the rest are handed out lowest first. */
	for (unsigned r = NR_REFS; r-- > GNTTAB_NR_RESERVED_ENTRIES;)
		free_refs[nfree++] = r;
	ready = true;
	return 0;
}

int gnttab__claim(void)
{
	int rc;

	if ((rc = table_init()))
		return rc;
	return nfree ? (int)free_refs[--nfree] : -ENOSPC;
}

void gnttab__release(grant_ref_t ref)
{
	if (ready && ref >= GNTTAB_NR_RESERVED_ENTRIES && ref < NR_REFS && nfree < NR_REFS)
		free_refs[nfree++] = ref;
}

void gnttab__grant(grant_ref_t ref, domid_t domid, uint64_t bus, bool readonly)
{
	struct grant_entry_v1 *e = &table[ref];

	e->domid = domid;
	e->frame = (uint32_t)(bus / PAGE);
	__atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
			 __ATOMIC_RELEASE);
}

int gnttab__end(grant_ref_t ref)
{
	uint16_t flags = __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);

	/* Only when the hypervisor is not using it: the flags word goes to 0 atomically. */
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -EBUSY;
	} while (!__atomic_compare_exchange_n(&table[ref].flags, &flags, 0, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return 0;
}

int gnttab__grant_page(domid_t domid, uint64_t bus, bool readonly)
{
	int ref = gnttab__claim();

	if (ref >= 0)
		gnttab__grant((grant_ref_t)ref, domid, bus, readonly);
	return ref;
}

/* One GRANT_TABLE_OP over @n elements of @esz bytes, results written back. */
static int batch(uint32_t cmd, void *elems, size_t esz, unsigned n, int *fd)
{
	uint8_t buf[VFNET_HC_MAX_DATA];
	struct vfnet_hc_gnttab h = {.cmd = cmd, .count = n};
	size_t len = sizeof(h) + esz * n, got = 0;
	unsigned nfds = 0;
	int fds[2] = {-1, -1}, rc;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), elems, esz * n);
	rc = hc__call(VFNET_HC_GRANT_TABLE_OP, buf, len, buf, sizeof(buf), &got, fds, 2, &nfds);
	if (fd)
		*fd = nfds ? fds[0] : -1;
	else if (nfds)
		close(fds[0]);
	if (!rc && got != len)
		rc = -EIO;
	if (!rc)
		memcpy(elems, buf + sizeof(h), esz * n);
	return rc;
}

int gnttab__copy(struct gnttab_copy *ops, unsigned n)
{
	for (unsigned at = 0; at < n; at += VFNET_GNTTAB_MAX_BATCH) {
		unsigned k = n - at < VFNET_GNTTAB_MAX_BATCH ? n - at : VFNET_GNTTAB_MAX_BATCH;
		int rc = batch(GNTTABOP_copy, ops + at, sizeof(*ops), k, NULL);

		if (rc)
			return rc;
	}
	return 0;
}

static void *ram_page(uint64_t bus)
{
	return dma__cpu(bus, PAGE);
}

int gnttab__map(struct gnttab_map_grant_ref *ops, unsigned n)
{
	int fd = -1, rc;

	if (n > VFNET_GNTTAB_MAX_BATCH)
		return -E2BIG;
	for (unsigned i = 0; i < n; i++)
		if (ops[i].host_addr % PAGE || !ram_page(ops[i].host_addr))
			return -EINVAL;
	if ((rc = batch(GNTTABOP_map_grant_ref, ops, sizeof(*ops), n, &fd)))
		return rc;
	for (unsigned i = 0; i < n; i++) {
		int prot = PROT_READ | (ops[i].flags & GNTMAP_readonly ? 0 : PROT_WRITE);
		void *at;

		if (ops[i].status != GNTST_okay)
			continue;
		at = fd < 0 ? MAP_FAILED
			    : mmap(ram_page(ops[i].host_addr), PAGE, prot, MAP_SHARED | MAP_FIXED, fd,
				   (off_t)ops[i].dev_bus_addr);
		if (at == MAP_FAILED) {
			struct gnttab_unmap_grant_ref u = {.host_addr = ops[i].host_addr,
							   .handle = ops[i].handle};

			batch(GNTTABOP_unmap_grant_ref, &u, sizeof(u), 1, NULL);
			ops[i].status = GNTST_general_error;
		}
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

int gnttab__unmap(struct gnttab_unmap_grant_ref *ops, unsigned n)
{
	if (n > VFNET_GNTTAB_MAX_BATCH)
		return -E2BIG;
	for (unsigned i = 0; i < n; i++) {
		void *p = ram_page(ops[i].host_addr);

		/* Our own page back first; the hypervisor forgets the mapping after. */
		if (!p || ops[i].host_addr % PAGE ||
		    mmap(p, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, os.ram_fd,
			 (off_t)ops[i].host_addr) == MAP_FAILED)
			return -EINVAL;
	}
	return batch(GNTTABOP_unmap_grant_ref, ops, sizeof(*ops), n, NULL);
}
