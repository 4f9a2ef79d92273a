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


struct os_state {
	unsigned domid;
	enum vfnet_role role;
	char name[VFNET_NAME_LEN];
	uint8_t *ram;	     /* guest-physical 0 */
	uint64_t ram_bytes;
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
int capture__init(void); /* the "capture" service (capture.c) */
void service__accept(void);

#endif
