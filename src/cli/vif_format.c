#include "cli/vif_format.h"

#include <stdlib.h>

void vif_format__header(FILE *out)
{
	fprintf(out, "%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-5s %-30s\n", "Idx", "BE", "Mac Addr.",
		"handle", "state", "evt-ch", "tx-", "rx-ring-ref", "BE-path");
}

void vif_format__row(FILE *out, const struct vif_row *r)
{
	/* The handle column is the devid, and nothing separates it from the MAC but its own
	 * padding: both as xl prints them. */
	fprintf(out, "%-3d %-2d %s%6d %5d %6d %5d/%-11d %-30s\n", r->devid, r->backend_id, r->mac,
		r->devid, r->state, r->evtch, r->tx_ring_ref, r->rx_ring_ref, r->be_path);
}

int vif_format__num(const char *s)
{
	return s ? (int)strtoul(s, NULL, 10) : -1;
}
