/*
 * Test program: opens one wire and runs a script of commands on it, so that a shell test can put
 * real interfaces, tcpdump and namespaces around it. Probe frames go from 02:76:66:00:00:ID to
 * 02:76:66:00:01:00 with the experimental EtherType 0x88b5, a sequence number and a pattern.
 *
 * usage: wire_probe [--id N] [--vlan VID] SPEC COMMAND...
 *        wire_probe --verify FILE.pcap N ID   (the probe frames 0..N-1 from ID, intact, in order)
 * --vlan puts an 802.1Q tag on the frames sent; received probe frames may carry one.
 * commands:
 *   send N [LEN]          send probe frames 0..N-1 in one batch, each in three segments; all must
 * go trysend N LEN         the same, whatever goes recv N SECS [TYPE]    wait for N intact probe
 * frames (or N frames of EtherType TYPE, hex) quiet SECS            fail if a probe frame arrives
 * within SECS link                  print "link up" or "link down" up SECS, down SECS    wait for
 * the link to be up, down mark FILE             create FILE waitfor FILE SECS     wait until FILE
 * exists stats                 print the wire's counters, one "stat NAME VALUE" a line
 */
#include <ctype.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hw/nic/wire.h"
#include "lib/compiler.h"

#define PROBE_TYPE  0x88b5
#define PROBE_MAGIC "vfnet-wire"
#define PROBE_HDR   (14 + 10 + 4 + 1 + 2) /* Ethernet, magic, sequence, sender, length */
#define BATCH	    32

static unsigned probe_id = 1, probe_vid;
static uint8_t frames[64][WIRE_FRAME_MAX];
static uint8_t rxbuf[BATCH][WIRE_FRAME_MAX];

static size_t probe_len(uint32_t seq)
{
	return 60 + (seq * 97) % 1400;
}

/* The frame after the MAC addresses, and its tag when vid is not 0. */
static void probe_fill(uint8_t *p, size_t len, uint32_t seq, unsigned id, unsigned vid)
{
	static const uint8_t dst[6] = {0x02, 0x76, 0x66, 0x00, 0x01, 0x00};

	memcpy(p, dst, 6);
	memcpy(p + 6, (uint8_t[]){0x02, 0x76, 0x66, 0x00, 0x00, (uint8_t)id}, 6);
	if (vid) {
		memcpy(p + 12, (uint8_t[]){0x81, 0x00, (uint8_t)(vid >> 8), (uint8_t)vid}, 4);
		p += 4;
		len -= 4;
	}
	p[12] = PROBE_TYPE >> 8;
	p[13] = PROBE_TYPE & 0xff;
	memcpy(p + 14, PROBE_MAGIC, 10);
	p[24] = (uint8_t)(seq >> 24);
	p[25] = (uint8_t)(seq >> 16);
	p[26] = (uint8_t)(seq >> 8);
	p[27] = (uint8_t)seq;
	p[28] = (uint8_t)id;
	p[29] = (uint8_t)(len >> 8);
	p[30] = (uint8_t)len;
	for (size_t i = PROBE_HDR; i < len; i++)
		p[i] = (uint8_t)(seq + i * 3);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A probe frame: 1 and its sequence, sender and VLAN when intact, -1 when damaged, 0 when not
 * ours.
 */
static int probe_parse(const uint8_t *p, size_t len, uint32_t *seq, unsigned *id, unsigned *vid)
{
	uint8_t want[WIRE_FRAME_MAX];
	const uint8_t *q = p;
	size_t l = len;

	*vid = 0;
	if (len >= 18 && p[12] == 0x81 && p[13] == 0x00) {
		*vid = ((unsigned)p[14] << 8 | p[15]) & 0xfff;
		q += 4;
		l -= 4;
	}
	if (l < PROBE_HDR || q[12] != PROBE_TYPE >> 8 || q[13] != (PROBE_TYPE & 0xff) ||
	    memcmp(q + 14, PROBE_MAGIC, 10))
		return 0;
	*seq = (uint32_t)q[24] << 24 | (uint32_t)q[25] << 16 | (uint32_t)q[26] << 8 | q[27];
	*id = q[28];
	if (l != ((size_t)q[29] << 8 | q[30]))
		return -1; /* truncated or padded */
	probe_fill(want, len, *seq, *id, *vid);
	return memcmp(p, want, len) ? -1 : 1;
}

static int cmd_send(struct wire *w, unsigned n, size_t len, int strict)
{
	struct iovec iov[64][3];
	struct wire_frame f[64];
	int sent;

	if (n > 64 || (len && (len < PROBE_HDR + 4 || len > WIRE_FRAME_MAX))) {
		fprintf(stderr, "wire_probe: send: at most 64 frames of %d..%d bytes\n",
			PROBE_HDR + 4, WIRE_FRAME_MAX);
		return 2;
	}
	for (unsigned i = 0; i < n; i++) {
		size_t l = len ? len : probe_len(i);

		probe_fill(frames[i], l, i, probe_id, probe_vid);
		iov[i][0] = (struct iovec){frames[i], 14};
		iov[i][1] = (struct iovec){frames[i] + 14, 17};
		iov[i][2] = (struct iovec){frames[i] + 31, l - 31};
		f[i] = (struct wire_frame){iov[i], 3};
	}
	sent = wire__send(w, f, n);
	printf("sent %d of %u\n", sent, n);
	return strict && sent != (int)n;
}

static void print_other(const uint8_t *p, size_t len)
{
	unsigned type = (unsigned)p[12] << 8 | p[13];

	if ((type == 0x8100 || type == 0x88a8) && len >= 18)
		printf("rx type=0x%04x vid=%u inner=0x%04x len=%zu\n", type,
		       ((unsigned)p[14] << 8 | p[15]) & 0xfff, (unsigned)p[16] << 8 | p[17], len);
	else
		printf("rx type=0x%04x len=%zu\n", type, len);
}

/*
 * Receive until `want` frames matched (want 0: until the time is up) or SECS pass. type 0 counts
 * intact probe frames, any other value frames of that EtherType. Returns matches, or -1 when a
 * probe frame was damaged or the wire broke.
 */
static int receive(struct wire *w, unsigned want, double secs, unsigned type)
{
	struct wire_buf b[BATCH];
	double end = now() + secs;
	unsigned matched = 0;
	int bad = 0;

	if (wire__fd(w) < 0) {
		fprintf(stderr, "wire_probe: %s receives nothing\n", w->spec);
		return -1;
	}
	for (unsigned i = 0; i < BATCH; i++)
		b[i] = (struct wire_buf){.data = rxbuf[i], .cap = WIRE_FRAME_MAX};
	while (!want || matched < want) {
		struct pollfd p = {.fd = wire__fd(w), .events = POLLIN};
		double left = end - now();
		int n = wire__recv(w, b, BATCH);

		if (n < 0) {
			fprintf(stderr, "wire_probe: recv: %s\n", strerror(-n));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			const uint8_t *d = b[i].data;
			unsigned id, vid, t = (unsigned)d[12] << 8 | d[13];
			uint32_t seq;
			int r = probe_parse(d, b[i].len, &seq, &id, &vid);

			if (type) {
				if (t != type)
					continue;
				print_other(d, b[i].len);
				matched++;
			} else if (r) {
				printf("rx id=%u seq=%u len=%u vid=%u %s\n", id, seq, b[i].len, vid,
				       r > 0 ? "ok" : "CORRUPT");
				bad |= r < 0;
				matched += r > 0;
			}
		}
		if (n == BATCH || (want && matched >= want))
			continue;
		if (left <= 0)
			break;
		poll(&p, 1, (int)(left * 1000) + 1);
	}
	return bad ? -1 : (int)matched;
}

static int wait_link(struct wire *w, int up, double secs)
{
	double end = now() + secs;

	while (wire__link_up(w) != up) {
		if (now() > end) {
			fprintf(stderr, "wire_probe: link not %s after %.0f s\n",
				up ? "up" : "down", secs);
			return 1;
		}
		usleep(20000);
	}
	return 0;
}

static int wait_file(const char *file, double secs)
{
	double end = now() + secs;

	while (access(file, F_OK)) {
		if (now() > end) {
			fprintf(stderr, "wire_probe: no %s after %.0f s\n", file, secs);
			return 1;
		}
		usleep(20000);
	}
	return 0;
}

static void print_stats(const struct wire *w)
{
	struct wire_stats s;

	wire__stats(w, &s);
	printf("stat tx_frames %llu\nstat tx_bytes %llu\n", (unsigned long long)s.tx_frames,
	       (unsigned long long)s.tx_bytes);
	printf("stat rx_frames %llu\nstat rx_bytes %llu\n", (unsigned long long)s.rx_frames,
	       (unsigned long long)s.rx_bytes);
	for (unsigned i = 0; i < WIRE_DROP_NR; i++)
		printf("stat tx_drop.%s %llu\nstat rx_drop.%s %llu\n", wire_drop__name(i),
		       (unsigned long long)s.tx_drops[i], wire_drop__name(i),
		       (unsigned long long)s.rx_drops[i]);
}

static int need(int argc, int i, int n, const char *cmd)
{
	if (i + n < argc)
		return 0;
	fprintf(stderr, "wire_probe: %s needs %d argument(s)\n", cmd, n);
	return 2;
}

static int run(struct wire *w, int argc, char **argv, int i)
{
	int rc = 0;

	for (; i < argc && !rc; i++) {
		const char *c = argv[i];

		if (!strcmp(c, "send") || !strcmp(c, "trysend")) {
			int strict = !strcmp(c, "send");
			size_t len = 0;
			unsigned n;

			if ((rc = need(argc, i, strict ? 1 : 2, c)))
				break;
			n = (unsigned)atoi(argv[++i]);
			if (!strict || (i + 1 < argc && isdigit((unsigned char)argv[i + 1][0])))
				len = strtoul(argv[++i], NULL, 0);
			rc = cmd_send(w, n, len, strict);
		} else if (!strcmp(c, "recv")) {
			unsigned want, type = 0;
			double secs;
			int got;

			if ((rc = need(argc, i, 2, c)))
				break;
			want = (unsigned)atoi(argv[++i]);
			secs = atof(argv[++i]);
			if (i + 1 < argc && !strncmp(argv[i + 1], "0x", 2))
				type = (unsigned)strtoul(argv[++i], NULL, 16);
			got = receive(w, want, secs, type);
			printf("received %d of %u\n", got, want);
			rc = got != (int)want;
		} else if (!strcmp(c, "quiet")) {
			int got;

			if ((rc = need(argc, i, 1, c)))
				break;
			got = receive(w, 0, atof(argv[++i]), 0);
			printf("received %d probe frames\n", got);
			rc = got != 0;
		} else if (!strcmp(c, "link")) {
			printf("link %s\n", wire__link_up(w) ? "up" : "down");
		} else if (!strcmp(c, "up") || !strcmp(c, "down")) {
			if ((rc = need(argc, i, 1, c)))
				break;
			rc = wait_link(w, !strcmp(c, "up"), atof(argv[++i]));
		} else if (!strcmp(c, "mark")) {
			int fd;

			if ((rc = need(argc, i, 1, c)))
				break;
			fd = open(argv[++i], O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
			rc = fd < 0;
			if (fd >= 0)
				close(fd);
		} else if (!strcmp(c, "waitfor")) {
			if ((rc = need(argc, i, 2, c)))
				break;
			rc = wait_file(argv[i + 1], atof(argv[i + 2]));
			i += 2;
		} else if (!strcmp(c, "stats")) {
			print_stats(w);
		} else {
			fprintf(stderr, "wire_probe: unknown command '%s'\n", c);
			rc = 2;
		}
	}
	return rc;
}

static int verify(const char *file, unsigned n, unsigned id)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, err);
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned next = 0;

	if (!p) {
		fprintf(stderr, "wire_probe: %s: %s\n", file, err);
		return 1;
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		unsigned from, vid;
		uint32_t seq;
		int r = probe_parse(data, h->caplen, &seq, &from, &vid);

		if (!r || from != id)
			continue;
		printf("pcap seq=%u len=%u %s\n", seq, h->caplen, r > 0 ? "ok" : "CORRUPT");
		if (r < 0 || seq != next || h->caplen != h->len) {
			pcap_close(p);
			return 1;
		}
		next++;
	}
	pcap_close(p);
	printf("verified %u of %u\n", next, n);
	return next != n;
}

int main(int argc, char **argv)
{
	struct wire *w;
	int i = 1, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "--verify"))
		return verify(argv[2], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]));
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--id"))
			probe_id = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--vlan"))
			probe_vid = (unsigned)atoi(argv[i + 1]) & 0xfff;
		else
			break;
	}
	if (i >= argc || argv[i][0] == '-') {
		fprintf(stderr, "usage: wire_probe [--id N] [--vlan VID] SPEC COMMAND...\n"
				"       wire_probe --verify FILE.pcap N ID\n");
		return 2;
	}
	if (wire__open(&w, argv[i], NULL, 0))
		return 2;
	rc = run(w, argc, argv, i + 1);
	wire__close(w);
	return rc;
}
