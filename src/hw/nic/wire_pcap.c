/*
 * "pcap:FILE": a port whose wire is a capture file. Every frame sent is appended with libpcap and
 * the file is flushed after each batch, so tcpdump -r sees whole frames while we run.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/nic/wire.h"
#include "lib/compiler.h"
#include "lib/log.h"

struct pcap_wire {
	struct wire wire;
	pcap_t *dead; /* no capture: only the link type and snap length for the file header */
	pcap_dumper_t *dumper;
	bool warned;
	uint8_t frame[WIRE_FRAME_MAX]; /* a scattered frame gathered for pcap_dump */
};

static struct pcap_wire *to_pcap(struct wire *w)
{
	return container_of(w, struct pcap_wire, wire);
}

static int pcap_wire_open(struct wire **out, const char *path, struct wire_cable *cable,
			  unsigned port)
{
	struct pcap_wire *p = calloc(1, sizeof(*p));
	FILE *f;
	int rc;

	if (!p)
		return -ENOMEM;
	p->dead = pcap_open_dead(DLT_EN10MB, WIRE_FRAME_MAX);
	if (!p->dead) {
		rc = -ENOMEM;
		goto err_free;
	}
	/* fopen ourselves: pcap_dump_open does not promise to leave errno telling why it failed. */
	f = fopen(path, "wbe");
	if (!f) {
		rc = -errno;
		pr_err("wire", "pcap:%s: cannot create the file: %s", path, strerror(errno));
		goto err_dead;
	}
	p->dumper = pcap_dump_fopen(p->dead, f);
	if (!p->dumper) {
		pr_err("wire", "pcap:%s: %s", path, pcap_geterr(p->dead));
		fclose(f);
		rc = -EIO;
		goto err_dead;
	}
	errno = 0;
	if (pcap_dump_flush(p->dumper)) {
		rc = errno ? -errno : -EIO;
		pr_err("wire", "pcap:%s: cannot write the header: %s", path, strerror(-rc));
		goto err_dump;
	}
	p->wire.fd = -1;
	*out = &p->wire;
	return 0;

err_dump:
	pcap_dump_close(p->dumper);
err_dead:
	pcap_close(p->dead);
err_free:
	free(p);
	return rc;
}

static int pcap_wire_send(struct wire *w, const struct wire_frame *frames, unsigned n)
{
	struct pcap_wire *p = to_pcap(w);
	struct pcap_pkthdr h;
	struct timespec now;
	uint64_t bytes = 0;
	int sent = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	h.ts.tv_sec = now.tv_sec;
	h.ts.tv_usec = now.tv_nsec / 1000;
	for (unsigned i = 0; i < n; i++) {
		const struct wire_frame *f = &frames[i];
		size_t len = wire__tx_len(w, f);
		const void *data = p->frame;

		if (!len)
			continue;
		if (f->iovcnt == 1)
			data = f->iov[0].iov_base;
		else
			wire_frame__gather(f, p->frame);
		h.caplen = h.len = (bpf_u_int32)len;
		pcap_dump((u_char *)p->dumper, &h, data);
		bytes += len;
		sent++;
	}
	if (!sent)
		return 0;
	/* pcap_dump reports nothing; a failed flush (disk full) loses this batch or part of it. */
	if (pcap_dump_flush(p->dumper)) {
		if (!p->warned)
			pr_warn("wire", "%s: write failed: %s", w->spec, strerror(errno));
		p->warned = true;
		wire__tx_drop(w, WIRE_DROP_ERROR, (uint64_t)sent);
		return 0;
	}
	wire__tx_count(w, (uint64_t)sent, bytes);
	return sent;
}

static int pcap_wire_recv(struct wire *w, struct wire_buf *bufs, unsigned n)
{
	return 0;
}

static bool pcap_wire_link_up(struct wire *w)
{
	return true;
}

static void pcap_wire_close(struct wire *w)
{
	struct pcap_wire *p = to_pcap(w);

	pcap_dump_close(p->dumper);
	pcap_close(p->dead);
	free(p);
}

const struct wire_ops wire_pcap_ops = {
    .kind = "pcap",
    .usage = "pcap:FILE",
    .has_arg = true,
    .open = pcap_wire_open,
    .send = pcap_wire_send,
    .recv = pcap_wire_recv,
    .link_up = pcap_wire_link_up,
    .close = pcap_wire_close,
};
