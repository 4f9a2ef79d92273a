/*
 * `xl network-list`'s table (tools/xl/xl_nic.c): one header, one row per vif, the numbers read
 * from xenstore as libxl reads them. No machine needed: unit-tested on its own.
 */
#ifndef VFNET_CLI_VIF_FORMAT_H
#define VFNET_CLI_VIF_FORMAT_H

#include <stdio.h>

struct vif_row {
	int devid, backend_id;
	const char *mac; /* xx:xx:xx:xx:xx:xx */
	int state;	 /* the frontend's XenbusState */
	int evtch;	 /* the frontend's event-channel: -1 with split channels */
	int tx_ring_ref;
	int rx_ring_ref;
	const char *be_path; /* /local/domain/0/backend/vif/N/D */
};

/* "Idx BE Mac Addr.  handle state evt-ch   tx-/rx-ring-ref BE-path", padded as xl pads it. */
void vif_format__header(FILE *out);
void vif_format__row(FILE *out, const struct vif_row *r);

/* A xenstore number as libxl reads one: strtoul's value of @s, -1 when the key is absent (NULL). */
int vif_format__num(const char *s);

#endif
