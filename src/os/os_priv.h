/* The domain runtime's own state and internal interfaces (not for drivers or apps). */
#ifndef VFNET_OS_PRIV_H
#define VFNET_OS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfnet/abi.h"
#include "vfnet/app.h"
#include "vfnet/pci.h"
#include "runtime.h"
#include "vfnet/os.h"


struct os_state {
	unsigned domid;
	enum vfnet_role role;
	char name[VFNET_NAME_LEN];
	uint8_t *ram;	     /* guest-physical 0 */
	uint64_t ram_bytes;
	uint64_t heap_bytes; /* the runtime's heap, in RAM from OS_DMA_START (guests) */
	struct vfnet_shared_page *shared;
	int hc_fd, ev_fd, notify_fd, epfd;
	int ram_fd;  /* the RAM memfd */
	int kick_fd; /* event channel send kick */
	uint32_t store_port;
	char *config;	     /* "key=value\n" lines */
	bool stop;
	int exit_status;
	const struct os_builtin *builtin;
	uint32_t hc_seq;
	uint64_t hypercalls;
	bool mig_suspend; /* the machine asked the guest to suspend for its migration */
};

extern struct os_state os;


/* A hypercall: arguments @args (@alen bytes); results copied into @out (up to @outlen, the
 * length in *@got if not NULL); up to @maxfds descriptors into @fds (*@nfds). Returns the
 * machine's status (0 or -errno), or -EIO when the machine is gone. */
int hc__call(unsigned op, const void *args, size_t alen, void *out, size_t outlen, size_t *got,
	     int *fds, unsigned maxfds, unsigned *nfds);

int loop__init(void);
void loop__run(void);
void loop__fini(void);
/* Migration: check that every watched descriptor can be made again elsewhere (the interrupt
 * line, the service socket, timers) and note each timer's time left; -EOPNOTSUPP with @why. */
int loop__suspend(char *why, size_t len);
/* In the process that resumes the guest: the epoll set, timers and watches again, at the
 * descriptor numbers the saved state names. */
int loop__resume(void);
/* Descriptors of a resuming process go above the saved ones first (os__fd_high closes @fd and
 * returns its copy at OS_FD_HIGH or above). */
#define OS_FD_HIGH 1000
int os__fd_high(int fd);

/* migrate.c: the guest's part of its live migration. */
void migrate__event(uint32_t type);
void migrate__suspend(void);
/* Boot of a migrated guest: its state from the save area, its descriptors from @fds (RAM,
 * notification, send kick). */
int migrate__resume(const struct vfnet_hc_boot *b, int fds[3]);
/* heap.c */
int heap__init(void *base, size_t size);
int heap__adopt(void *base, size_t size);
bool heap__active(void);
bool heap__overflowed(void);
bool heap__interposed(void);
size_t heap__used(void);
/* Where the heap sits in RAM (from DMA_START), for a guest of @ram_bytes: 0 for none. */
uint64_t heap__bytes(uint64_t ram_bytes);
#define OS_DMA_START (1ull << 20)

int irq__init(void);
void irq__dispatch(void);

int dma__init(void);

int pci__init(void);
void pci__scan(void);
void pci__probe_all(void);
void pci__event(void);
void pci__fini(void);

int netdev__init(void);
void apps__init(const struct app_type *const *types);
void apps__fini(void);

int evtchn__init(void);
int xenbus__init(void);
void xenbus__probe_all(void);
void xenbus__fini(void);

int service__init(void);
void service__drop_all(void);
int xenbus__resume(uint32_t old_port);
int evtchn__resume(void);
int capture__init(void); /* the "capture" service (capture.c) */
void service__accept(void);

#endif
