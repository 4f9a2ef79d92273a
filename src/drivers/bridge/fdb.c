/* The bridge's forwarding table: open addressing over BRIDGE_FDB_SIZE entries, ageing on lookup. */
#include <string.h>

#include "bridge.h"

#define FDB_NO_PORT 0xff
#define AGEING_NS ((uint64_t)BRIDGE_AGEING_S * 1000000000ull)

static unsigned hash(const uint8_t *mac)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < ETH_ALEN; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h & (BRIDGE_FDB_SIZE - 1);
}

static bool stale(const struct fdb_entry *e, uint64_t now)
{
	return e->port == FDB_NO_PORT || (!e->local && now - e->seen_ns > AGEING_NS);
}

void fdb__learn(struct bridge *br, const uint8_t *mac, unsigned port, uint64_t now)
{
	unsigned h = hash(mac), free_at = BRIDGE_FDB_SIZE;

	for (unsigned i = 0; i < BRIDGE_FDB_SIZE; i++) {
		struct fdb_entry *e = &br->fdb[(h + i) & (BRIDGE_FDB_SIZE - 1)];

		if (!e->used) {
			if (free_at == BRIDGE_FDB_SIZE)
				free_at = (h + i) & (BRIDGE_FDB_SIZE - 1);
			break;
		}
		if (!memcmp(e->mac, mac, ETH_ALEN)) {
			/* A station that moved is learnt on its new port. */
			e->port = (uint8_t)port;
			e->seen_ns = now;
			return;
		}
		if (free_at == BRIDGE_FDB_SIZE && stale(e, now))
			free_at = (h + i) & (BRIDGE_FDB_SIZE - 1);
	}
	if (free_at == BRIDGE_FDB_SIZE) {
		br->fdb_full++;
		return;
	}
	if (!br->fdb[free_at].used)
		br->nfdb++;
	br->fdb[free_at] = (struct fdb_entry){.used = true, .port = (uint8_t)port, .seen_ns = now};
	memcpy(br->fdb[free_at].mac, mac, ETH_ALEN);
}

int fdb__lookup(struct bridge *br, const uint8_t *mac, uint64_t now)
{
	unsigned h = hash(mac);

	for (unsigned i = 0; i < BRIDGE_FDB_SIZE; i++) {
		struct fdb_entry *e = &br->fdb[(h + i) & (BRIDGE_FDB_SIZE - 1)];

		if (!e->used)
			return -1;
		if (!memcmp(e->mac, mac, ETH_ALEN))
			return stale(e, now) ? -1 : e->port;
		/* (a stale entry keeps its slot so that later entries of the chain are found) */
	}
	return -1;
}

/*
 * Entries of a port that goes are marked stale rather than emptied: an emptied slot would cut
 * the probe chains of entries stored after it.
 */
void fdb__flush_port(struct bridge *br, unsigned port)
{
	for (unsigned i = 0; i < BRIDGE_FDB_SIZE; i++) {
		struct fdb_entry *e = &br->fdb[i];

		if (e->used && e->port == port && !e->local)
			e->port = FDB_NO_PORT;
	}
}
