#include "lib/memfd.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

int memfd__create(struct memfd *m, const char *name, size_t size)
{
	int err;

	m->fd = -1;
	m->base = NULL;
	m->size = 0;
	if (!size)
		return -EINVAL;
	m->fd = memfd_create(name, MFD_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (ftruncate(m->fd, (off_t)size) < 0) {
		err = -errno;
		goto err_close;
	}
	m->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->base == MAP_FAILED) {
		err = -errno;
		m->base = NULL;
		goto err_close;
	}
	m->size = size;
	return 0;

err_close:
	close(m->fd);
	m->fd = -1;
	return err;
}

void memfd__destroy(struct memfd *m)
{
	if (m->base)
		munmap(m->base, m->size);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	m->base = NULL;
	m->size = 0;
}
