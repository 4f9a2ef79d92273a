/*
 * The wire behind a NIC port: what the 82576's MAC sees beyond its PHY. A port owns one struct
 * wire, opened from a spec string, and moves Ethernet frames (no FCS) through a small ops table.
 *
 * Specs:
 *   cable                port 0 <-> port 1 of the same NIC: what one port sends, the other receives
 *   loop                 the port receives what it sends
 *   null                 sends are counted and dropped; nothing is received
 *   pcap:FILE            every frame sent is appended to FILE (pcap, DLT_EN10MB), flushed per
 *                        batch so that tcpdump -r can read it while we run; nothing is received
 *   tap:NAME             a Linux TAP device (IFF_TAP | IFF_NO_PI), created if missing; it goes away
 *                        with the wire unless it was made persistent (ip tuntap add)
 *   afpacket:IFNAME      an AF_PACKET socket on an existing interface (e.g. one end of a veth
 *                        pair), in promiscuous mode; frames the host sends out of IFNAME are not
 *                        received (PACKET_OUTGOING), VLAN tags the kernel stripped are put back
 *   peer:LOCAL,REMOTE    a unix datagram socket bound to LOCAL, talking to the socket at REMOTE,
 *                        which is LOCAL of the port of another vfnet machine (peer:B,A there for
 *                        peer:A,B here); paths may not contain a comma
 *
 * Threads: a wire is driven by one thread at a time (its port's NIC engine calls send, recv and
 * link_up); wire__stats may be called from any thread. Nothing on the send and receive paths
 * allocates or locks. The cable is the only object two engines share, one ring per direction, each
 * with one producer and one consumer.
 *
 * Errors: functions return 0 (or a count) or a negative errno. A spec that does not parse is
 * -EINVAL; a resource that cannot be had keeps the system's errno (-ENOENT for a pcap file in a
 * missing directory, -ENODEV for an absent interface, -EPERM for tap without CAP_NET_ADMIN). Every
 * failure to open logs one line naming the spec and the cause.
 */
#ifndef VFNET_HW_NIC_WIRE_H
#define VFNET_HW_NIC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define WIRE_FRAME_MIN 14	   /* destination, source, EtherType */
#define WIRE_FRAME_MAX (9728 + 18) /* 82576 jumbo payload + header + one VLAN tag, no FCS */
#define WIRE_SPEC_MAX  256	   /* bytes of a spec, with its NUL */

/* A frame to send: a scatter list of host buffers, as a frame may span several Tx descriptors. */
struct wire_frame {
	const struct iovec *iov;
	unsigned int iovcnt;
};

/* A buffer to receive one frame into: the caller sets data and cap, recv sets len. */
struct wire_buf {
	void *data;
	uint32_t cap;
	uint32_t len;
};

/* Why a frame was dropped, counted per direction. */
enum wire_drop {
	WIRE_DROP_FULL,	     /* cable or loop ring full: the receiving port is behind */
	WIRE_DROP_AGAIN,     /* the host socket or device would block (EAGAIN, ENOBUFS) */
	WIRE_DROP_TOO_LONG,  /* over WIRE_FRAME_MAX, the host MTU, or the receive buffer */
	WIRE_DROP_TOO_SHORT, /* under WIRE_FRAME_MIN */
	WIRE_DROP_LINK_DOWN, /* no one at the other end: cable end or peer absent, interface down */
	WIRE_DROP_ERROR,     /* any other host error */
	WIRE_DROP_NR
};

struct wire_stats {
	uint64_t tx_frames, tx_bytes;
	uint64_t rx_frames, rx_bytes;
	uint64_t tx_drops[WIRE_DROP_NR];
	uint64_t rx_drops[WIRE_DROP_NR];
};

struct wire;
struct wire_cable;

struct wire_ops {
	const char *kind;  /* the spec up to the colon */
	const char *usage; /* the spec's shape, for messages */
	bool has_arg;	   /* kind:ARG, ARG required; otherwise kind alone */
	int (*open)(struct wire **out, const char *arg, struct wire_cable *cable, unsigned port);
	int (*send)(struct wire *w, const struct wire_frame *frames, unsigned n);
	int (*recv)(struct wire *w, struct wire_buf *bufs, unsigned n);
	bool (*link_up)(struct wire *w);
	void (*close)(struct wire *w);
};

/* Embedded first in every backend's own structure. */
struct wire {
	const struct wire_ops *ops;
	int fd;
	unsigned port;
	struct wire_stats stats; /* written only by the thread driving the wire */
	char spec[WIRE_SPEC_MAX];
};

/*
 * The cable joining port 0 and port 1 of one NIC. The NIC creates one when it is built and gives it
 * to wire__open for both ports; it must outlive both wires. Its rings (a few MiB) exist only while
 * a port is attached.
 */
int wire_cable__create(struct wire_cable **out);
void wire_cable__destroy(struct wire_cable *c);

/*
 * Open the wire of port `port` (0 or 1) from `spec`. `cable` is the NIC's cable, used only by the
 * spec "cable" (NULL is allowed otherwise). On success *out is set and must be closed.
 */
int wire__open(struct wire **out, const char *spec, struct wire_cable *cable, unsigned port);
void wire__close(struct wire *w);

/*
 * Put n frames on the wire, without blocking. Every frame is consumed: sent, or dropped and counted
 * in tx_drops by reason. Returns the number sent, or a negative errno when the wire is broken for
 * good (the TAP device was deleted): close it.
 */
int wire__send(struct wire *w, const struct wire_frame *frames, unsigned n);

/*
 * Take up to n waiting frames into bufs[0..], without blocking; returns how many (bufs[i].len set)
 * or a negative errno when the wire is broken for good. Frames longer than the buffer they would
 * land in are dropped and counted. Give every buffer WIRE_FRAME_MAX bytes to lose none. A return
 * below n means nothing is waiting now: the engine may sleep on wire__fd.
 */
int wire__recv(struct wire *w, struct wire_buf *bufs, unsigned n);

/* A file descriptor that polls readable (EPOLLIN) when frames wait, or -1 when none ever will. */
static inline int wire__fd(const struct wire *w)
{
	return w->fd;
}

/*
 * Whether the link is up: tap and afpacket follow the interface (IFF_UP and IFF_RUNNING), cable
 * needs both ends attached, peer a live socket at REMOTE; null, pcap and loop are always up. It may
 * cost a system call: call it from a watchdog (as igb does every two seconds), not per frame.
 */
bool wire__link_up(struct wire *w);

/* A consistent-enough copy of the counters (each one is read atomically), from any thread. */
void wire__stats(const struct wire *w, struct wire_stats *out);
const char *wire_drop__name(enum wire_drop why);

/* For backends. */

extern const struct wire_ops wire_cable_ops;
extern const struct wire_ops wire_loop_ops;
extern const struct wire_ops wire_null_ops;
extern const struct wire_ops wire_pcap_ops;
extern const struct wire_ops wire_tap_ops;
extern const struct wire_ops wire_afpacket_ops;
extern const struct wire_ops wire_peer_ops;

/* Counters have one writer (the driving thread) and readers anywhere: relaxed atomic stores. */
static inline void wire__stat_add(uint64_t *counter, uint64_t v)
{
	__atomic_store_n(counter, *counter + v, __ATOMIC_RELAXED);
}

static inline void wire__tx_drop(struct wire *w, enum wire_drop why, uint64_t frames)
{
	wire__stat_add(&w->stats.tx_drops[why], frames);
}

static inline void wire__rx_drop(struct wire *w, enum wire_drop why, uint64_t frames)
{
	wire__stat_add(&w->stats.rx_drops[why], frames);
}

static inline void wire__tx_count(struct wire *w, uint64_t frames, uint64_t bytes)
{
	wire__stat_add(&w->stats.tx_frames, frames);
	wire__stat_add(&w->stats.tx_bytes, bytes);
}

static inline void wire__rx_count(struct wire *w, uint64_t frames, uint64_t bytes)
{
	wire__stat_add(&w->stats.rx_frames, frames);
	wire__stat_add(&w->stats.rx_bytes, bytes);
}

/*
 * The length of a frame to send, or 0 after counting it as a drop when it is too short or too
 * long. Sums without overflow whatever the segment lengths.
 */
size_t wire__tx_len(struct wire *w, const struct wire_frame *f);

/* Copy a frame's segments into dst, which holds len = wire__tx_len(f) bytes. */
void wire_frame__gather(const struct wire_frame *f, void *dst);

/* Whether name can be a Linux interface name (what dev_valid_name accepts). */
bool wire__ifname_ok(const char *name);

#endif
