/* Anonymous shared memory: a memfd of a fixed size, mapped read-write and shared. */
#ifndef VFNET_LIB_MEMFD_H
#define VFNET_LIB_MEMFD_H

#include <stddef.h>

struct memfd {
	int fd;	    /* stays open so that another process can map the same pages */
	void *base; /* MAP_SHARED mapping of the whole file */
	size_t size;
};

/*
 * Creates a memfd called @name (shown in /proc/PID/maps), sizes it to @size bytes (zero-filled)
 * and maps it. The descriptor is close-on-exec; pass it explicitly to share it.
 * Returns 0 or a negative errno; on error @m is left closed.
 */
int memfd__create(struct memfd *m, const char *name, size_t size);

/* Unmaps and closes; safe on a memfd that failed to create or was already destroyed. */
void memfd__destroy(struct memfd *m);

#endif
