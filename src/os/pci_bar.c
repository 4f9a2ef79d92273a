/*
 * BARs of a domain's devices. A direct BAR is a request ring shared with the device (the machine
 * hands over the ring's memfd and doorbell once); a trapped BAR (the MSI-X table) is reached by
 * hypercalls. Register accesses never allocate and, for direct BARs, never enter the machine's
 * control thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "os_priv.h"
#include "pci_priv.h"

struct pci_bar *pci__iomap(struct pci_dev *pdev, unsigned index)
{
	struct os_pci_dev *d = to_os(pdev);
	struct vfnet_hc_bar req = {.rid = pdev->rid, .bar = (uint8_t)index};
	struct vfnet_hc_bar_map map;
	struct pci_bar *b;
	int fds[2] = {-1, -1};
	unsigned nfds = 0;
	uint32_t cmd;
	int rc;

	if (index >= 6 || pdev->gone) {
		errno = ENODEV;
		return NULL;
	}
	if (d->bar[index]) {
		d->bar[index]->users++;
		return d->bar[index];
	}
	/* Memory decoding on (for a VF this is virtual: it decodes through its PF's VF MSE). */
	if (!pdev->is_virtfn && !pci__cfg_read(pdev, 0x04, 2, &cmd) && !(cmd & 0x2))
		pci__cfg_write(pdev, 0x04, 2, cmd | 0x2);
	rc = hc__call(VFNET_HC_BAR_MAP, &req, sizeof(req), &map, sizeof(map), NULL, fds, 2, &nfds);
	if (rc)
		goto err;
	if (!(b = calloc(1, sizeof(*b)))) {
		rc = -ENOMEM;
		goto err;
	}
	*b = (struct pci_bar){.dev = d, .index = index, .size = map.size, .memfd = -1,
			      .doorbell = -1, .users = 1};
	if (map.flags & VFNET_BAR_DIRECT) {
		if (nfds != 2 || !map.ring_bytes) {
			rc = -EPROTO;
			goto err_bar;
		}
		b->direct = true;
		b->memfd = fds[0];
		b->doorbell = fds[1];
		b->base = map.ring_base;
		b->region_len = map.ring_bytes;
		b->region = mmap(NULL, b->region_len, PROT_READ | PROT_WRITE, MAP_SHARED, b->memfd,
				 0);
		if (b->region == MAP_FAILED) {
			rc = -errno;
			goto err_bar;
		}
		if ((rc = reqring__attach(&b->prod, b->region, b->region_len, b->doorbell))) {
			munmap(b->region, b->region_len);
			goto err_bar;
		}
	} else {
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
	}
	d->bar[index] = b;
	return b;
err_bar:
	free(b);
err:
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	errno = -rc;
	return NULL;
}

static void bar_free(struct pci_bar *b)
{
	if (b->direct) {
		/* Writes still posted reach the device first, as they would on a bus: the
		 * ring is idle when the BAR is mapped again. */
		if (!b->dev->pub.gone)
			reqring__drain(&b->prod);
		munmap(b->region, b->region_len);
		close(b->memfd);
		close(b->doorbell);
	}
	b->dev->bar[b->index] = NULL;
	free(b);
}

void pci__iounmap(struct pci_bar *b)
{
	if (b && !--b->users)
		bar_free(b);
}

void pci__bar_release_all(struct os_pci_dev *d)
{
	for (unsigned i = 0; i < 6; i++)
		if (d->bar[i])
			bar_free(d->bar[i]);
	d->msix_map = NULL;
}

static uint64_t trapped(struct pci_bar *b, uint32_t off, unsigned width, bool write,
			uint64_t value)
{
	struct vfnet_hc_mmio m = {.value = value, .off = off, .rid = b->dev->pub.rid,
				  .bar = (uint8_t)b->index, .width = (uint8_t)width,
				  .write = write};
	struct vfnet_hc_mmio out;

	if (b->dev->pub.gone ||
	    hc__call(VFNET_HC_MMIO, &m, sizeof(m), &out, sizeof(out), NULL, NULL, 0, NULL))
		return ~0ull;
	return out.value;
}

uint32_t pci__readl(struct pci_bar *b, uint32_t off)
{
	uint64_t v = ~0ull;

	if (!b->direct)
		return (uint32_t)trapped(b, off, 4, false, 0);
	reqring__read(&b->prod, b->base + off, 4, &v); /* all ones when the device is gone */
	return (uint32_t)v;
}

void pci__writel_post(struct pci_bar *b, uint32_t off, uint32_t val)
{
	if (!b->direct) {
		trapped(b, off, 4, true, val);
		return;
	}
	reqring__post_write(&b->prod, b->base + off, 4, val);
}

void pci__flush(struct pci_bar *b)
{
	if (b->direct)
		reqring__kick(&b->prod);
}

void pci__writel(struct pci_bar *b, uint32_t off, uint32_t val)
{
	pci__writel_post(b, off, val);
	pci__flush(b);
}
