/*
 * "afpacket:IFNAME": the port is an existing host interface (typically one end of a veth pair),
 * reached through an AF_PACKET raw socket in promiscuous mode, as a real port sees every frame on
 * its cable. Frames the host itself sends out of IFNAME are not ours and are skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hw/nic/wire.h"
#include "hw/nic/wire_sock.h"
#include "lib/compiler.h"
#include "lib/log.h"

#define AUX_SPACE CMSG_SPACE(sizeof(struct tpacket_auxdata))
#define VLAN_HLEN 4

struct afpacket_wire {
	struct wire wire;
	struct wire_sock sock;
	struct sockaddr_ll from[WIRE_SOCK_BATCH];
	/* Aligned for the cmsghdr at the start of each message's area. */
	_Alignas(struct cmsghdr) uint8_t aux[WIRE_SOCK_BATCH][AUX_SPACE];
	char name[IFNAMSIZ];
};

static struct afpacket_wire *to_afp(struct wire *w)
{
	return container_of(w, struct afpacket_wire, wire);
}

static int setopt(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value)) ? -errno : 0;
}

static int afpacket_socket(const char *name, int ifindex)
{
	struct sockaddr_ll sll = {
	    .sll_family = AF_PACKET,
	    .sll_protocol = htons(ETH_P_ALL),
	    .sll_ifindex = ifindex,
	};
	struct packet_mreq mr = {.mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC};
	const char *what;
	int fd, rc;

	/* Protocol 0 until bound: nothing from other interfaces gets queued in between. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		pr_err("wire", "afpacket:%s: cannot open a packet socket: %s%s", name,
		       strerror(errno), errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return rc;
	}
	/* The kernel moves VLAN tags out of the frame; auxdata tells us what to put back. */
	what = "PACKET_AUXDATA";
	rc = setopt(fd, SOL_PACKET, PACKET_AUXDATA, 1);
	if (rc)
		goto err;
	/* Older kernels lack it; recv also skips PACKET_OUTGOING frames itself. */
	if (setopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1))
		pr_debug("wire", "afpacket:%s: no PACKET_IGNORE_OUTGOING", name);
	/* Best effort: bursts from the host should wait for the engine, not be dropped. */
	setopt(fd, SOL_SOCKET, SO_RCVBUF, 4 << 20);
	setopt(fd, SOL_SOCKET, SO_SNDBUF, 4 << 20);
	what = "bind";
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		rc = -errno;
		goto err;
	}
	what = "promiscuous mode";
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr))) {
		rc = -errno;
		goto err;
	}
	return fd;

err:
	pr_err("wire", "afpacket:%s: %s: %s", name, what, strerror(-rc));
	close(fd);
	return rc;
}

static int afpacket_open(struct wire **out, const char *name, struct wire_cable *cable,
			 unsigned port)
{
	struct afpacket_wire *a;
	unsigned ifindex;
	int fd;

	if (!wire__ifname_ok(name)) {
		pr_err("wire",
		       "afpacket:%s: not a valid interface name (1 to %d characters, no '/', "
		       "':' or spaces)",
		       name, IFNAMSIZ - 1);
		return -EINVAL;
	}
	ifindex = if_nametoindex(name);
	if (!ifindex) {
		int err = errno == ENXIO ? ENODEV : errno;

		pr_err("wire", "afpacket:%s: no such interface: %s", name, strerror(err));
		return -err;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	fd = afpacket_socket(name, (int)ifindex);
	if (fd < 0) {
		free(a);
		return fd;
	}
	memcpy(a->name, name, strlen(name) + 1);
	a->sock.names = a->from;
	a->sock.namelen = sizeof(a->from[0]);
	a->sock.control = a->aux;
	a->sock.controllen = sizeof(a->aux[0]);
	a->wire.fd = fd;
	*out = &a->wire;
	return 0;
}

static enum wire_drop afpacket_why(struct wire *w, int err)
{
	switch (err) {
	case EMSGSIZE: /* longer than the interface's MTU allows */
		return WIRE_DROP_TOO_LONG;
	case ENOBUFS: /* the qdisc dropped it */
	case ENOMEM:
		return WIRE_DROP_AGAIN;
	case ENETDOWN:
	case ENXIO:
	case ENODEV:
		return WIRE_DROP_LINK_DOWN;
	default:
		return WIRE_DROP_ERROR;
	}
}

static int afpacket_send(struct wire *w, const struct wire_frame *frames, unsigned n)
{
	return wire_sock__send(w, &to_afp(w)->sock, frames, n, afpacket_why);
}

/* Put back the 802.1Q (or 802.1ad) tag that the receive path moved into skb metadata. */
static int afpacket_untagged(const struct tpacket_auxdata *aux, struct wire_buf *b)
{
	uint8_t *p = b->data;
	uint16_t tpid = ETH_P_8021Q;

	if (!(aux->tp_status & TP_STATUS_VLAN_VALID))
		return 0;
	if (b->len + VLAN_HLEN > b->cap)
		return 1 + WIRE_DROP_TOO_LONG;
	if (aux->tp_status & TP_STATUS_VLAN_TPID_VALID)
		tpid = aux->tp_vlan_tpid;
	memmove(p + 2 * ETH_ALEN + VLAN_HLEN, p + 2 * ETH_ALEN, b->len - 2 * ETH_ALEN);
	p[12] = (uint8_t)(tpid >> 8);
	p[13] = (uint8_t)tpid;
	p[14] = (uint8_t)(aux->tp_vlan_tci >> 8);
	p[15] = (uint8_t)aux->tp_vlan_tci;
	b->len += VLAN_HLEN;
	return 0;
}

static int afpacket_filter(struct wire *w, const struct msghdr *m, struct wire_buf *b)
{
	const struct sockaddr_ll *from = m->msg_name;

	if (from->sll_pkttype == PACKET_OUTGOING)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR((struct msghdr *)m, c)) {
		struct tpacket_auxdata aux;

		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
		    c->cmsg_len < CMSG_LEN(sizeof(aux)))
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		return afpacket_untagged(&aux, b);
	}
	return 0;
}

static int afpacket_recv(struct wire *w, struct wire_buf *bufs, unsigned n)
{
	return wire_sock__recv(w, &to_afp(w)->sock, bufs, n, afpacket_filter);
}

static bool afpacket_link_up(struct wire *w)
{
	struct ifreq ifr = {0};

	memcpy(ifr.ifr_name, to_afp(w)->name, sizeof(ifr.ifr_name));
	if (ioctl(w->fd, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	return (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
}

static void afpacket_close(struct wire *w)
{
	/* Closing the socket also takes back its promiscuous-mode reference. */
	close(w->fd);
	free(to_afp(w));
}

const struct wire_ops wire_afpacket_ops = {
    .kind = "afpacket",
    .usage = "afpacket:IFNAME",
    .has_arg = true,
    .open = afpacket_open,
    .send = afpacket_send,
    .recv = afpacket_recv,
    .link_up = afpacket_link_up,
    .close = afpacket_close,
};
