/*
 * hostile: a VF driver that misbehaves on purpose, for containment tests (docs/hypervisor.md,
 * "Containment"). It binds only when a domain's configuration chooses it by name (a pci entry's
 * `driver=hostile`): its id table is empty, so it never takes a device by itself.
 *
 * It is driven through the domain's service socket: {"op": "hostile", "attack": NAME, "ms": N,
 * ...} runs one attack for about N ms on the vCPU (the reply waits for it) and answers with what
 * the device and dom0 answered. Everything it does is something any guest kernel could do with
 * its VF: register accesses on BAR0, config-space and MSI-X accesses the hypervisor traps,
 * mailbox messages, and DMA descriptors aimed anywhere.
 *
 *   main.c     probe/remove, the service
 *   mbx.c      the VF side of the mailbox, as a well-behaved driver speaks it (for floods)
 *   attack.c   the attacks
 */
#ifndef VFNET_DRIVERS_HOSTILE_H
#define VFNET_DRIVERS_HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

#include "vfnet/os.h"
#include "vfnet/pci.h"

#include "../vdd/regs.h" /* the VF's BAR0: the device's register map, not vdd's own */

#define HOSTILE_NAME "hostile"

/* Mailbox words (mailbox.md sections 4-5). */
#define HOSTILE_MSG_ACK	       0x80000000u
#define HOSTILE_MSG_NACK       0x40000000u
#define HOSTILE_MSG_CTS	       0x20000000u
#define HOSTILE_VF_RESET       0x0001u
#define HOSTILE_VF_SET_MAC     0x0002u
#define HOSTILE_VF_MAC_ADD     (0x02u << 16)
#define HOSTILE_VF_SET_VLAN    0x0004u
#define HOSTILE_VF_VLAN_ADD    (0x01u << 16)
#define HOSTILE_VF_SET_PROMISC 0x0006u
#define HOSTILE_MBX_TIMEOUT_NS 100000000ull /* a flood does not wait long for any one reply */

struct hostile {
	struct pci_dev *pdev;
	struct pci_bar *hw;
	uint32_t v2p_cache; /* read-to-clear mailbox bits seen, not yet tested */
	bool removing;
};

/* What one attack did, for the service's reply. */
struct hostile_result {
	uint64_t ops;	   /* accesses or messages sent */
	uint64_t acked;	   /* mailbox: ACK replies */
	uint64_t nacked;   /* mailbox: NACK replies */
	uint64_t timeouts; /* mailbox: no reply in time */
	uint64_t errors;   /* calls that failed (-errno from the runtime) */
	uint64_t ns;	   /* wall time it took */
};

/* mbx.c */
int hostile_mbx_request(struct hostile *h, uint32_t *msg, unsigned len, unsigned rlen);
int hostile_mbx_reset(struct hostile *h, uint8_t mac[6]);

/* attack.c: -EINVAL for an unknown @name. @arg is the request (a json-c object). */
int hostile_attack(struct hostile *h, const char *name, uint64_t ms, void *arg,
		   struct hostile_result *r);
const char *hostile_attack_names(void);

#endif
