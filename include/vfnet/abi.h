/*
 * The wire formats between a domain and the machine: hypercalls and the shared page.
 *
 * This is the only header that the machine (src/vmm/) and the domains (src/os/, drivers, apps)
 * share. Everything in it is a fixed-width field in host byte order: both sides run on the same
 * host. The machine trusts nothing that arrives in this format; the domain trusts the machine.
 *
 * Transport. Each domain has one SOCK_SEQPACKET socket to the machine (inherited as
 * VFNET_HC_FD). A hypercall is one message: a struct vfnet_hc_req followed by the operation's
 * arguments; the machine answers with one message, a struct vfnet_hc_rep followed by the
 * operation's results and, for some operations, file descriptors (SCM_RIGHTS). Calls are
 * synchronous: a domain has at most one outstanding. A second socket (VFNET_EV_FD) carries the
 * other direction: the machine's connections for the domain's own services (`vfnet stats`,
 * dom0's administration) arrive there as one message each with one descriptor.
 *
 * Memory. A domain's RAM is one memfd (the first descriptor of VFNET_HC_BOOT), guest-physical
 * address 0 at offset 0. Page 0 is the shared page (struct vfnet_shared_page): the machine
 * posts interrupts into it. Every DMA-capable device assigned to the domain sees the whole RAM at
 * IOVA = guest-physical address through the IOMMU.
 *
 * Interrupts. The pending-vector bitmap and the notification flag (ON) of the shared page are the
 * VT-d posted-interrupt descriptor's. The machine (the IOMMU) sets a vector's bit and, when ON
 * was clear, sets ON and writes the domain's notification eventfd (the second descriptor of
 * VFNET_HC_BOOT). The domain clears ON, then exchanges the bitmap words with zero, and runs the
 * handlers of the vectors it took. Vectors 0..31 are reserved; VFNET_VEC_PLATFORM is the
 * machine's own (hot-plug and other platform events).
 *
 * The Xen paravirtual interfaces. Grant tables, event channels and xenstore keep Xen's wire
 * formats (vfnet/xen/grant_table.h, event_channel.h, xs_wire.h; the rings of the PV devices in
 * vfnet/xen/ring.h and netif.h): one hypercall each (VFNET_HC_GRANT_TABLE_OP,
 * VFNET_HC_EVENT_CHANNEL_OP, VFNET_HC_XENSTORE). The 2-level event channel state lives in the
 * shared page, and a domain sends events without a round trip through the send bitmap and its
 * send-kick eventfd (the third descriptor of VFNET_HC_BOOT; vfnet/xen/event_channel.h).
 */
#ifndef VFNET_ABI_H
#define VFNET_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "vfnet/xen/event_channel.h"
#include "vfnet/xen/grant_table.h"
#include "vfnet/xen/xs_wire.h"

#define VFNET_HC_FD 3 /* the hypercall socket, inherited by a domain process */
#define VFNET_EV_FD 4 /* the machine's service connections */

#define VFNET_ABI_VERSION   3
#define VFNET_HC_MAX_MSG    8192 /* bytes of one hypercall message, header included */
#define VFNET_HC_MAX_DATA   (VFNET_HC_MAX_MSG - 16)
#define VFNET_NAME_LEN	    32

/* ---- the shared page, at guest-physical address 0 ------------------------------------------ */

#define VFNET_PI_ON	      (1ull << 0) /* control: a notification is outstanding */
#define VFNET_VEC_FIRST	      32          /* vectors below are reserved */
#define VFNET_VEC_PLATFORM    32          /* hot-plug and platform events (VFNET_HC_EVENT_POP) */
#define VFNET_SHARED_PAGE     0x0ull
#define VFNET_SHARED_SIZE     4096u

struct vfnet_shared_page {
	uint64_t pir[4];  /* posted-interrupt requests: bit n = vector n pending */
	uint64_t control; /* VFNET_PI_ON; the rest belongs to the machine */
	uint64_t rsvd[3];
	/* Written by the machine at boot; read-only by convention. */
	uint32_t domid;
	uint32_t role;	    /* enum vfnet_role */
	uint64_t ram_bytes; /* size of guest-physical RAM, shared page included */
	char name[VFNET_NAME_LEN];
	uint8_t rsvd2[16];
	/* Event channels, 2-level ABI (vfnet/xen/event_channel.h). The vCPU's part: */
	uint8_t evtchn_upcall_pending; /* the machine sets it, the domain clears it */
	uint8_t evtchn_upcall_mask;    /* the domain's: no upcall vector while set */
	uint8_t rsvd3[6];
	uint64_t evtchn_pending_sel;   /* bit w: word w of evtchn_pending has news */
	uint64_t evtchn_send_on;       /* the domain has sends the machine has not taken */
	uint8_t rsvd4[1024 - 152];
	uint64_t evtchn_pending[EVTCHN_2L_NR_CHANNELS / 64]; /* set by the machine */
	uint64_t evtchn_mask[EVTCHN_2L_NR_CHANNELS / 64];    /* the domain's */
	uint64_t evtchn_send[EVTCHN_2L_NR_CHANNELS / 64];    /* the domain's: ports to send on */
};

_Static_assert(offsetof(struct vfnet_shared_page, control) == 32, "PI descriptor layout");
_Static_assert(offsetof(struct vfnet_shared_page, domid) == 64, "shared page layout");
_Static_assert(offsetof(struct vfnet_shared_page, evtchn_upcall_pending) == 128 &&
		       offsetof(struct vfnet_shared_page, evtchn_pending_sel) == 136 &&
		       offsetof(struct vfnet_shared_page, evtchn_pending) == 1024 &&
		       offsetof(struct vfnet_shared_page, evtchn_send) == 2048,
	       "event channel layout");
_Static_assert(sizeof(struct vfnet_shared_page) <= VFNET_SHARED_SIZE, "shared page fits");

enum vfnet_role {
	VFNET_ROLE_DOM0 = 0,  /* privileged: physical config space, the PFs, assignment */
	VFNET_ROLE_GUEST = 1, /* a virtual PCI bus with the functions assigned to it */
};

/* ---- hypercalls ----------------------------------------------------------------------------- */

enum vfnet_hc_op {
	VFNET_HC_BOOT = 1,	  /* -> boot; fds: RAM memfd, notification eventfd */
	VFNET_HC_CONSOLE = 2,	  /* data: bytes for the domain's log */
	VFNET_HC_CFG_READ = 3,	  /* cfg -> cfg_val */
	VFNET_HC_CFG_WRITE = 4,	  /* cfg */
	VFNET_HC_BAR_MAP = 5,	  /* bar -> bar_map; fds: ring memfd and doorbell, when direct */
	VFNET_HC_MMIO = 6,	  /* mmio -> mmio (value): an access to a trapped BAR */
	VFNET_HC_VF_REPORT = 7,	  /* dom0: vf; a VF appeared (add) or went away (!add) */
	VFNET_HC_EVENT_POP = 8,	  /* -> event: the oldest platform event, if any */
	VFNET_HC_EVENT_BIND = 9,  /* vector: deliver platform events on this vector */
	VFNET_HC_DOMAIN_INFO = 10, /* dom: domid (0xffffffff: the caller) -> domain_info */
	VFNET_HC_ASSIGNABLE = 11, /* dom0: assignable (add/remove a function to/from the pool) */
	VFNET_HC_ATTACH = 12,	  /* dom0: attach (give a function to a guest) */
	VFNET_HC_DETACH = 13,	  /* dom0: attach (take it back) */
	VFNET_HC_FUNC_INFO = 14,  /* dom0: func_q -> func_info: who holds a physical function */
	VFNET_HC_PCI_RELEASED = 15, /* func_q (the caller's view): done with a removed function */
	VFNET_HC_VF_POLICY = 16,  /* dom0: vf_policy: keep or fetch the policy of a VF */
	VFNET_HC_GRANT_TABLE_OP = 17,	/* gnttab + elements -> the elements; fds: see map */
	VFNET_HC_EVENT_CHANNEL_OP = 18, /* evtchn + the command's struct -> the struct */
	VFNET_HC_XENSTORE = 19,		/* xsd_sockmsg + payload -> xsd_sockmsg + payload */
	VFNET_HC_MIGRATE = 20,		/* migrate: a guest's part of its live migration */
	VFNET_HC_OP_MAX
};

struct vfnet_hc_req {
	uint16_t op;  /* enum vfnet_hc_op */
	uint16_t len; /* bytes of arguments after this header */
	uint32_t seq; /* echoed in the reply */
};

struct vfnet_hc_rep {
	int32_t status; /* 0 or a negative errno */
	uint16_t len;	/* bytes of results after this header */
	uint16_t nfds;	/* descriptors that came with the reply */
	uint32_t seq;
	uint32_t rsvd;
};

_Static_assert(sizeof(struct vfnet_hc_req) == 8, "hypercall header");
_Static_assert(sizeof(struct vfnet_hc_rep) == 16, "hypercall reply header");

/* The boot reply's descriptors: RAM memfd, notification eventfd, event-channel send kick. */
struct vfnet_hc_boot {
	uint32_t abi;	    /* VFNET_ABI_VERSION */
	uint32_t domid;
	uint32_t role;	    /* enum vfnet_role */
	uint32_t store_port; /* event channel of xenstore watch events */
	uint64_t ram_bytes; /* size of the RAM memfd */
	char name[VFNET_NAME_LEN];
	uint32_t flags; /* VFNET_BOOT_* */
	uint32_t rsvd;
};

/* The RAM holds a migrated guest: resume from its save area instead of starting afresh. */
#define VFNET_BOOT_RESUME (1u << 0)

/*
 * A config cycle. @rid is the requester's view: dom0's are physical routing IDs, a guest's are on
 * its virtual bus 00. Accesses are 1, 2 or 4 bytes, naturally aligned, below 4096.
 */
struct vfnet_hc_cfg {
	uint16_t rid;
	uint16_t off;
	uint8_t size;
	uint8_t rsvd[3];
	uint32_t val; /* write: the data */
};

struct vfnet_hc_cfg_val {
	uint32_t val; /* all ones for a function that does not answer */
};

/* Flags of a mapped BAR. */
#define VFNET_BAR_DIRECT  (1u << 0) /* served by the device from a request ring (the fds) */
#define VFNET_BAR_TRAPPED (1u << 1) /* every access is a VFNET_HC_MMIO hypercall */

struct vfnet_hc_bar {
	uint16_t rid;
	uint8_t bar; /* 0..5 */
	uint8_t rsvd[5];
};

struct vfnet_hc_bar_map {
	uint64_t size;	       /* bytes of the BAR */
	uint32_t flags;	       /* VFNET_BAR_* */
	uint32_t ring_entries; /* direct: slots of the ring in the memfd */
	uint64_t ring_bytes;   /* direct: bytes to map from the memfd */
	uint32_t ring_base;    /* direct: request offset = ring_base + offset in the BAR */
	uint32_t rsvd;
};

struct vfnet_hc_mmio {
	uint64_t value; /* write: data; reply: the value read (all ones when refused) */
	uint32_t off;
	uint16_t rid;
	uint8_t bar;
	uint8_t width; /* 1, 2, 4 or 8 */
	uint8_t write; /* 0 or 1 */
	uint8_t rsvd[7];
};

struct vfnet_hc_vf {
	uint16_t pf_rid; /* a physical function of dom0 */
	uint16_t vf_rid;
	uint16_t index;	 /* VF number: vf_rid = pf_rid + offset + index * stride */
	uint8_t add;	 /* 1: the VF appeared; 0: it went away */
	uint8_t rsvd;
};

enum vfnet_event_type {
	VFNET_EV_NONE = 0,
	VFNET_EV_PCI_ADD = 1,	 /* a function appeared on the domain's bus (rid) */
	VFNET_EV_PCI_REMOVE = 2, /* a function is being taken away: remove its driver, then answer
				  * VFNET_HC_PCI_RELEASED. The machine waits a while for that answer
				  * (or takes it at once, `pci-detach -f`): after it, accesses fail. */
};

/*
 * Live migration (docs/hypervisor.md, "Live migration"). The machine asks with platform events;
 * the guest answers with VFNET_HC_MIGRATE:
 *   VFNET_EV_MIGRATE_START    log your writes to RAM (userfaultfd write-protect, asynchronous,
 *                             over all of RAM); answer VFNET_MIG_DIRTY_LOG with the status
 *   VFNET_EV_MIGRATE_SUSPEND  stop at the top of the vCPU loop, save what lives outside RAM into
 *                             the save area, answer VFNET_MIG_SUSPENDED. The reply comes when the
 *                             migration has failed (status: why; the guest goes on where it
 *                             was), or never: the guest then runs on elsewhere
 *   VFNET_EV_MIGRATE_END      the migration is over: stop logging
 * A guest booted with VFNET_BOOT_RESUME answers VFNET_MIG_RESUMED once it runs again.
 */
#define VFNET_EV_MIGRATE_START	 3
#define VFNET_EV_MIGRATE_SUSPEND 4
#define VFNET_EV_MIGRATE_END	 5

enum vfnet_mig_cmd {
	VFNET_MIG_DIRTY_LOG = 1, /* status: 0, or why the guest cannot log its writes */
	VFNET_MIG_SUSPENDED = 2, /* status: 0 (saved: @bytes of save area), or why not */
	VFNET_MIG_RESUMED = 3,	 /* status: 0, or why the resume failed (the guest then exits) */
};

struct vfnet_hc_migrate {
	uint32_t cmd; /* enum vfnet_mig_cmd */
	int32_t status;
	uint64_t bytes;
};

/*
 * A guest's runtime keeps all its state in RAM: its heap, and (at suspend) its variables in the
 * save area. RAM is mapped at VFNET_RAM_VA in every domain process, so that the pointers in it
 * stay valid in the process that resumes it.
 */
#define VFNET_RAM_VA	     0x500000000000ull
#define VFNET_SAVE_AREA	     0x1000ull	 /* guest-physical: after the shared page */
#define VFNET_SAVE_AREA_SIZE 0xff000ull /* up to 1 MiB */

struct vfnet_hc_event {
	uint32_t type; /* enum vfnet_event_type */
	uint16_t rid;
	uint16_t rsvd;
};

struct vfnet_hc_vector {
	uint32_t vector; /* VFNET_VEC_FIRST..255 */
};

struct vfnet_hc_dom {
	uint32_t domid; /* 0xffffffff: the caller */
};

struct vfnet_hc_domain_info {
	uint32_t domid;
	uint32_t role;
	uint64_t ram_bytes;
	uint64_t hypercalls;  /* served for this domain */
	uint64_t interrupts;  /* vectors posted to it */
	uint64_t notifies;    /* notifications (eventfd writes) sent to it */
	char name[VFNET_NAME_LEN];
};

struct vfnet_hc_assignable {
	uint16_t rid; /* physical */
	uint8_t add;  /* 1: make assignable; 0: give back to dom0 */
	uint8_t rsvd;
};

struct vfnet_hc_attach {
	uint32_t domid;
	uint16_t rid;	/* physical */
	uint8_t vslot;	/* 0: the first free slot from 4 */
	uint8_t rsvd;
};

struct vfnet_hc_func_q {
	uint16_t rid; /* physical */
	uint16_t rsvd;
};

/*
 * The administrator's policy of one VF (`ip link set PF vf N ...`), kept by the machine for the
 * PF driver as a toolstack keeps it (libvirt's <vlan>/<mac>, xl's domain config): it lives as
 * long as the VF does (clearing VF Enable forgets it) and outlives dom0, so that a new dom0's PF
 * driver programs it again before it answers any VF. write = 1 keeps this one; write = 0 asks
 * for the one kept, answered in the same format (-ENOENT: none).
 */
#define VFNET_POLICY_KEPT     (1u << 0) /* reply: this is a kept policy */
#define VFNET_POLICY_MAC      (1u << 1) /* mac was set by the administrator */
#define VFNET_POLICY_SPOOFCHK (1u << 2)
#define VFNET_POLICY_TRUST    (1u << 3)

enum vfnet_link_state { VFNET_LINK_AUTO = 0, VFNET_LINK_ENABLE = 1, VFNET_LINK_DISABLE = 2 };

struct vfnet_hc_vf_policy {
	uint16_t pf_rid; /* a physical function */
	uint8_t vf;	 /* VF index, below the PF's NumVFs */
	uint8_t write;	 /* 1: keep this; 0: fetch */
	uint32_t flags;	 /* VFNET_POLICY_* */
	uint8_t mac[6];	 /* with VFNET_POLICY_MAC: a unicast address; else zero */
	uint16_t vlan;	 /* port VLAN 0..4094, 0: none */
	uint8_t qos;	 /* 0..7 */
	uint8_t link_state; /* enum vfnet_link_state */
	uint16_t rsvd;
	uint32_t max_tx_rate, min_tx_rate; /* Mbit/s, 0: no limit; min <= max */
};

struct vfnet_hc_func_info {
	int32_t owner;	   /* domain id, -1: nobody (assignable) */
	uint8_t assignable; /* in the pool or given to a guest */
	uint8_t reported;   /* a VF dom0 has reported */
	uint8_t vslot;	   /* the guest's slot */
	uint8_t rsvd;
	char owner_name[VFNET_NAME_LEN];
};

/*
 * VFNET_HC_GRANT_TABLE_OP: @count elements of the command's struct follow (gnttab_copy,
 * gnttab_map_grant_ref, gnttab_unmap_grant_ref: 1..VFNET_GNTTAB_MAX_BATCH; setup_table and
 * query_size: 1). The reply carries them back with their status (and out fields) filled in; the
 * call's own status is 0 unless the message itself is malformed.
 */
struct vfnet_hc_gnttab {
	uint32_t cmd; /* GNTTABOP_* */
	uint32_t count;
};

/* VFNET_HC_EVENT_CHANNEL_OP: the command's struct follows and comes back with its out fields. */
struct vfnet_hc_evtchn {
	uint32_t cmd; /* EVTCHNOP_* */
	uint32_t rsvd;
};

/* ---- a domain's interface captured (its "capture" service, `vfnet capture vif1.0`) ---------- */

/*
 * After the service's reply line {"ok": true, "snaplen": N}, the connection carries records: this
 * header, then @caplen bytes of the frame as it was on the wire (a VLAN tag the NIC strips or
 * inserts put back in). @drops counts the frames not captured so far because the reader fell
 * behind; the stream ends when either side closes it.
 */
struct vfnet_cap_rec {
	uint64_t ts_ns;	 /* CLOCK_REALTIME */
	uint32_t len;	 /* the frame's length */
	uint32_t caplen; /* bytes that follow: min(len, snaplen) */
	uint64_t drops;
	uint8_t out;	 /* 1: the device sent it, 0: it received it */
	uint8_t rsvd[7];
};

_Static_assert(sizeof(struct vfnet_cap_rec) == 32, "capture record header");

#define VFNET_CAP_SNAPLEN 2048

#endif
