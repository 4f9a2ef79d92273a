/* Between the parts of pass-through (passthrough.c, passthrough_msix.c); not for other files. */
#ifndef VFNET_VMM_PASSTHROUGH_PRIV_H
#define VFNET_VMM_PASSTHROUGH_PRIV_H

#include <stdbool.h>
#include <stdint.h>

struct hv;
struct hv_func;

/* passthrough_msix.c: the trapped MSI-X table (BAR3) of a function */
int pt_msix__access(struct hv *hv, struct hv_func *f, uint32_t off, unsigned width, bool write,
		    uint64_t *value);
/* Every entry masked and unbound (its IRTE freed), as after an FLR. */
void pt_msix__reset(struct hv *hv, struct hv_func *f);
/* MSI-X Enable and Function Mask in the physical capability. */
void pt_msix__phys_control(struct hv *hv, struct hv_func *f, bool enable, bool masked);
/* vPCI's hook (struct vpci_msix_ops): the guest changed those bits in its view. */
void pt_msix__guest_control(void *opaque, bool enable, bool masked);

#endif
