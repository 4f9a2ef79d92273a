/* The NIC port's wire backends that need no privilege: cable, loop, null, pcap, peer; specs. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "hw/nic/wire.h"
#include "hw/nic/wire_ring.h"
#include "lib/compiler.h"

#define ETHERTYPE_TEST 0x88b5 /* IEEE 802 local experimental */

static char dir[64];

static int group_setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vfnet-wire-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	return rmdir(dir);
}

static void path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

/* A test frame: locally administered MACs, the experimental EtherType, seq, then a pattern. */
static void frame_fill(uint8_t *p, size_t len, uint32_t seq)
{
	static const uint8_t hdr[14] = {0x02,
					0x76,
					0x66,
					0,
					0,
					1,
					0x02,
					0x76,
					0x66,
					0,
					0,
					2,
					ETHERTYPE_TEST >> 8,
					ETHERTYPE_TEST & 0xff};

	memcpy(p, hdr, sizeof(hdr));
	for (size_t i = 14; i < len; i++)
		p[i] = (uint8_t)(seq * 7 + i);
	if (len >= 18)
		memcpy(p + 14, &seq, sizeof(seq));
}

static size_t frame_len(uint32_t seq)
{
	return 60 + (seq * 131) % 1455;
}

static void frame_check(const struct wire_buf *b, uint32_t seq, size_t len)
{
	uint8_t want[WIRE_FRAME_MAX];

	assert_int_equal(b->len, len);
	frame_fill(want, len, seq);
	assert_memory_equal(b->data, want, len);
}

/* n frames of frame_len(first + i), each in one segment, in storage the caller provides. */
static void frames_make(uint8_t (*store)[1536], struct iovec *iov, struct wire_frame *f, unsigned n,
			uint32_t first)
{
	for (unsigned i = 0; i < n; i++) {
		frame_fill(store[i], frame_len(first + i), first + i);
		iov[i] = (struct iovec){store[i], frame_len(first + i)};
		f[i] = (struct wire_frame){&iov[i], 1};
	}
}

static struct wire_buf *bufs_alloc(unsigned n, uint32_t cap)
{
	struct wire_buf *b = calloc(n, sizeof(*b));

	assert_non_null(b);
	for (unsigned i = 0; i < n; i++) {
		b[i].data = malloc(cap);
		assert_non_null(b[i].data);
		b[i].cap = cap;
	}
	return b;
}

static void bufs_free(struct wire_buf *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(b[i].data);
	free(b);
}

static int send_batch(struct wire *w, unsigned n, uint32_t first)
{
	static uint8_t store[64][1536];
	struct iovec iov[64];
	struct wire_frame f[64];

	assert_true(n <= 64);
	frames_make(store, iov, f, n, first);
	return wire__send(w, f, n);
}

/* Receive exactly n frames first.. in order; nothing more is waiting. */
static void recv_expect(struct wire *w, unsigned n, uint32_t first)
{
	struct wire_buf *b = bufs_alloc(n + 1, WIRE_FRAME_MAX);

	assert_int_equal(wire__recv(w, b, n + 1), n);
	for (unsigned i = 0; i < n; i++)
		frame_check(&b[i], first + i, frame_len(first + i));
	bufs_free(b, n + 1);
}

static bool readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static struct wire_stats stats(const struct wire *w)
{
	struct wire_stats s;

	wire__stats(w, &s);
	return s;
}

static struct wire *open_ok(const char *spec, struct wire_cable *c, unsigned port)
{
	struct wire *w = NULL;

	assert_int_equal(wire__open(&w, spec, c, port), 0);
	assert_non_null(w);
	return w;
}

/* Capture what the wire layer logs, to check that a user would be told why. */
static int saved_stderr = -1;
static char logged[4096];

static void capture_begin(void)
{
	char p[128];
	int fd;

	path(p, sizeof(p), "stderr");
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved_stderr = dup(2);
	assert_true(saved_stderr >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	close(fd);
}

static const char *capture_end(void)
{
	char p[128];
	ssize_t n;

	fflush(stderr);
	n = pread(2, logged, sizeof(logged) - 1, 0);
	logged[n > 0 ? n : 0] = 0;
	dup2(saved_stderr, 2);
	close(saved_stderr);
	path(p, sizeof(p), "stderr");
	unlink(p);
	return logged;
}

static void expect_open_fails(const char *spec, struct wire_cable *c, unsigned port, int err,
			      const char *says)
{
	struct wire *w = (struct wire *)1;
	const char *msg;
	int rc;

	capture_begin();
	rc = wire__open(&w, spec, c, port);
	msg = capture_end();
	if (!rc)
		wire__close(w);
	if (rc != err || !strstr(msg, says))
		fail_msg("'%s': got %d, logged \"%s\"; want %d and \"%s\"", spec, rc, msg, err,
			 says);
	assert_null(w);
}

static void test_bad_specs_are_rejected(void **state)
{
	char longname[300], p[200];
	struct wire_cable *c;
	struct wire *w0;

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	expect_open_fails("", NULL, 0, -EINVAL, "empty wire spec");
	expect_open_fails("bogus", NULL, 0, -EINVAL, "unknown wire kind");
	expect_open_fails("bogus", NULL, 0, -EINVAL, "peer:LOCAL,REMOTE");
	expect_open_fails("cablex", NULL, 0, -EINVAL, "unknown wire kind");
	expect_open_fails(":loop", NULL, 0, -EINVAL, "unknown wire kind");
	expect_open_fails("loop:1", NULL, 0, -EINVAL, "takes no argument");
	expect_open_fails("null:", NULL, 0, -EINVAL, "takes no argument");
	expect_open_fails("pcap", NULL, 0, -EINVAL, "missing argument, expected pcap:FILE");
	expect_open_fails("pcap:", NULL, 0, -EINVAL, "missing argument");
	expect_open_fails("tap", NULL, 0, -EINVAL, "expected tap:NAME");
	expect_open_fails("tap:a/b", NULL, 0, -EINVAL, "not a valid interface name");
	expect_open_fails("tap:sixteen-chars-xy", NULL, 0, -EINVAL, "not a valid interface name");
	expect_open_fails("afpacket:", NULL, 0, -EINVAL, "expected afpacket:IFNAME");
	expect_open_fails("afpacket:has space", NULL, 0, -EINVAL, "not a valid interface name");
	expect_open_fails("afpacket:vfnet-no-such", NULL, 0, -ENODEV, "no such interface");
	expect_open_fails("peer:only-one", NULL, 0, -EINVAL, "expected peer:LOCAL,REMOTE");
	expect_open_fails("peer:,/tmp/x", NULL, 0, -EINVAL, "socket path");
	expect_open_fails("peer:/tmp/x,", NULL, 0, -EINVAL, "socket path");
	expect_open_fails("peer:/tmp/x,/tmp/x", NULL, 0, -EINVAL, "same socket");
	snprintf(p, sizeof(p), "peer:%.150s,/tmp/x", longname);
	expect_open_fails(p, NULL, 0, -EINVAL, "socket path");
	expect_open_fails(longname, NULL, 0, -EINVAL, "spec longer than");
	expect_open_fails("pcap:/nonexistent-vfnet-dir/x.pcap", NULL, 0, -ENOENT,
			  "cannot create the file");
	expect_open_fails("loop", NULL, 2, -EINVAL, "port 2 does not exist");
	expect_open_fails("cable", NULL, 0, -EINVAL, "no cable");

	assert_int_equal(wire_cable__create(&c), 0);
	w0 = open_ok("cable", c, 0);
	expect_open_fails("cable", c, 0, -EBUSY, "already attached");
	wire__close(w0);
	wire_cable__destroy(c);
}

static void test_cable_carries_both_ways_in_order(void **state)
{
	struct wire_cable *c;
	struct wire *w0, *w1;
	struct wire_stats s0, s1;
	uint64_t bytes = 0;

	assert_int_equal(wire_cable__create(&c), 0);
	w0 = open_ok("cable", c, 0);
	w1 = open_ok("cable", c, 1);
	assert_true(wire__link_up(w0));
	assert_true(wire__link_up(w1));

	assert_int_equal(send_batch(w0, 40, 0), 40);
	assert_int_equal(send_batch(w1, 30, 1000), 30);
	recv_expect(w1, 40, 0);
	recv_expect(w0, 30, 1000);
	recv_expect(w0, 0, 0);

	for (uint32_t i = 0; i < 40; i++)
		bytes += frame_len(i);
	s0 = stats(w0);
	s1 = stats(w1);
	assert_int_equal(s0.tx_frames, 40);
	assert_int_equal(s0.tx_bytes, bytes);
	assert_int_equal(s1.rx_frames, 40);
	assert_int_equal(s1.rx_bytes, bytes);
	assert_int_equal(s1.tx_frames, 30);
	assert_int_equal(s0.rx_frames, 30);
	for (unsigned i = 0; i < WIRE_DROP_NR; i++)
		assert_int_equal(s0.tx_drops[i] + s0.rx_drops[i] + s1.tx_drops[i] + s1.rx_drops[i],
				 0);
	wire__close(w0);
	wire__close(w1);
	wire_cable__destroy(c);
}

static void test_cable_link_needs_both_ends(void **state)
{
	struct wire_cable *c;
	struct wire *w0, *w1;

	assert_int_equal(wire_cable__create(&c), 0);
	w0 = open_ok("cable", c, 0);
	assert_false(wire__link_up(w0));
	assert_int_equal(send_batch(w0, 3, 0), 0);
	assert_int_equal(stats(w0).tx_drops[WIRE_DROP_LINK_DOWN], 3);

	w1 = open_ok("cable", c, 1);
	assert_true(wire__link_up(w0));
	assert_true(wire__link_up(w1));
	recv_expect(w1, 0, 0); /* nothing sent while down was kept */

	/* Unplug port 1 with frames in flight: a port plugged in later does not get them. */
	assert_int_equal(send_batch(w0, 5, 10), 5);
	wire__close(w1);
	assert_false(wire__link_up(w0));
	w1 = open_ok("cable", c, 1);
	recv_expect(w1, 0, 0);
	assert_int_equal(send_batch(w0, 2, 20), 2);
	recv_expect(w1, 2, 20);

	/* Both ends gone and back: fresh rings work. */
	wire__close(w0);
	wire__close(w1);
	w1 = open_ok("cable", c, 1);
	w0 = open_ok("cable", c, 0);
	assert_int_equal(send_batch(w1, 4, 30), 4);
	recv_expect(w0, 4, 30);
	wire__close(w0);
	wire__close(w1);
	wire_cable__destroy(c);
}

static void test_cable_full_ring_drops_and_counts(void **state)
{
	unsigned total = WIRE_RING_SLOTS + 5, sent = 0;
	struct wire_cable *c;
	struct wire *w0, *w1;
	struct wire_buf *b;
	int got;

	assert_int_equal(wire_cable__create(&c), 0);
	w0 = open_ok("cable", c, 0);
	w1 = open_ok("cable", c, 1);
	for (unsigned i = 0; i < total; i += 50)
		sent += (unsigned)send_batch(w0, MIN(50u, total - i), i);
	assert_int_equal(sent, WIRE_RING_SLOTS);
	assert_int_equal(stats(w0).tx_drops[WIRE_DROP_FULL], 5);
	assert_int_equal(stats(w0).tx_frames, WIRE_RING_SLOTS);

	b = bufs_alloc(WIRE_RING_SLOTS + 1, WIRE_FRAME_MAX);
	got = wire__recv(w1, b, WIRE_RING_SLOTS + 1);
	assert_int_equal(got, WIRE_RING_SLOTS);
	for (unsigned i = 0; i < WIRE_RING_SLOTS; i++)
		frame_check(&b[i], i, frame_len(i));
	bufs_free(b, WIRE_RING_SLOTS + 1);

	/* Room again. */
	assert_int_equal(send_batch(w0, 3, 500), 3);
	recv_expect(w1, 3, 500);
	wire__close(w0);
	wire__close(w1);
	wire_cable__destroy(c);
}

static void test_cable_fd_says_when_frames_wait(void **state)
{
	struct wire_cable *c;
	struct wire *w0, *w1;

	assert_int_equal(wire_cable__create(&c), 0);
	w0 = open_ok("cable", c, 0);
	w1 = open_ok("cable", c, 1);
	assert_true(wire__fd(w0) >= 0);
	assert_true(wire__fd(w1) >= 0);
	assert_int_not_equal(wire__fd(w0), wire__fd(w1));
	assert_false(readable(wire__fd(w1)));

	assert_int_equal(send_batch(w0, 2, 0), 2);
	assert_true(readable(wire__fd(w1)));
	assert_false(readable(wire__fd(w0)));
	recv_expect(w1, 2, 0);
	assert_false(readable(wire__fd(w1)));

	/* A batch into a ring that still holds frames needs no wake-up; the engine is polling. */
	assert_int_equal(send_batch(w0, 2, 2), 2);
	assert_int_equal(send_batch(w0, 2, 4), 2);
	assert_true(readable(wire__fd(w1)));
	recv_expect(w1, 4, 2);
	assert_false(readable(wire__fd(w1)));
	wire__close(w0);
	wire__close(w1);
	wire_cable__destroy(c);
}

/* Two engines at once: order kept, every frame delivered or counted, no wake-up lost. */
struct flood {
	struct wire *w;
	unsigned frames;
};

static void *flood_send(void *arg)
{
	struct flood *fl = arg;
	uint8_t store[16][64];
	struct iovec iov[16];
	struct wire_frame f[16];

	for (uint32_t seq = 0; seq < fl->frames;) {
		unsigned n = MIN(16u, fl->frames - seq);

		for (unsigned i = 0; i < n; i++) {
			frame_fill(store[i], 64, seq + i);
			iov[i] = (struct iovec){store[i], 64};
			f[i] = (struct wire_frame){&iov[i], 1};
		}
		if (wire__send(fl->w, f, n) < 0)
			return (void *)1;
		seq += n;
		/* Bursts that overrun the ring, then a pace at which the receiver sleeps often. */
		if (seq > fl->frames / 2 && seq % 128 == 0)
			usleep(20);
	}
	return NULL;
}

static void test_cable_two_threads(void **state)
{
	const unsigned total = 200000;
	struct wire_cable *c;
	struct wire *w0, *w1;
	struct flood fl;
	struct wire_buf *b = bufs_alloc(32, 64);
	pthread_t t;
	uint64_t received = 0, wakeups = 0;
	int64_t last = -1;
	void *ret;

	assert_int_equal(wire_cable__create(&c), 0);
	w0 = open_ok("cable", c, 0);
	w1 = open_ok("cable", c, 1);
	fl = (struct flood){w0, total};
	assert_int_equal(pthread_create(&t, NULL, flood_send, &fl), 0);
	for (;;) {
		struct pollfd p = {.fd = wire__fd(w1), .events = POLLIN};
		int n = wire__recv(w1, b, 32);

		assert_true(n >= 0);
		for (int i = 0; i < n; i++) {
			uint32_t seq;

			assert_int_equal(b[i].len, 64);
			memcpy(&seq, (uint8_t *)b[i].data + 14, sizeof(seq));
			assert_true((int64_t)seq > last);
			last = seq;
		}
		received += (unsigned)n;
		if (received + stats(w0).tx_drops[WIRE_DROP_FULL] == total)
			break;
		if (n == 32)
			continue;
		/* Sleep like an engine: a lost wake-up shows as a timeout with frames waiting. */
		if (poll(&p, 1, 2000) == 0) {
			assert_int_equal(wire__recv(w1, b, 32), 0);
			fail_msg("no wake-up for 2 s after %lu of %u frames",
				 (unsigned long)received, total);
		}
		wakeups++;
	}
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_null(ret);
	assert_int_equal(stats(w0).tx_frames, received);
	assert_int_equal(stats(w1).rx_frames, received);
	assert_true(received > 0);
	print_message("# %lu delivered, %lu dropped (ring full), %lu wake-ups\n",
		      (unsigned long)received, (unsigned long)(total - received),
		      (unsigned long)wakeups);
	bufs_free(b, 32);
	wire__close(w0);
	wire__close(w1);
	wire_cable__destroy(c);
}

static void test_short_receive_buffer_drops_frame(void **state)
{
	struct wire *w = open_ok("loop", NULL, 0);
	struct wire_buf *b = bufs_alloc(4, 500);
	uint8_t big[1000], small[100];
	struct iovec iov[2] = {{big, sizeof(big)}, {small, sizeof(small)}};
	struct wire_frame f[2] = {{&iov[0], 1}, {&iov[1], 1}};

	frame_fill(big, sizeof(big), 1);
	frame_fill(small, sizeof(small), 2);
	assert_int_equal(wire__send(w, f, 2), 2);
	assert_int_equal(wire__recv(w, b, 4), 1);
	frame_check(&b[0], 2, sizeof(small));
	assert_int_equal(stats(w).rx_drops[WIRE_DROP_TOO_LONG], 1);
	assert_int_equal(stats(w).rx_frames, 1);
	bufs_free(b, 4);
	wire__close(w);
}

static void test_send_checks_frame_length(void **state)
{
	static uint8_t jumbo[WIRE_FRAME_MAX + 1];
	struct wire *w = open_ok("loop", NULL, 0);
	struct wire_buf *b = bufs_alloc(2, WIRE_FRAME_MAX);
	struct iovec iov[5] = {
	    {jumbo, WIRE_FRAME_MIN - 1},
	    {jumbo, WIRE_FRAME_MAX + 1},
	    {jumbo, WIRE_FRAME_MAX},
	    /* Lengths whose sum wraps around to 9: must be too long, not short. */
	    {jumbo, 20},
	    {jumbo, SIZE_MAX - 10},
	};
	struct wire_frame f[4] = {{&iov[0], 1}, {&iov[1], 1}, {&iov[2], 1}, {&iov[3], 2}};
	struct wire_stats s;

	frame_fill(jumbo, WIRE_FRAME_MAX, 9);
	assert_int_equal(wire__send(w, f, 4), 1);
	s = stats(w);
	assert_int_equal(s.tx_drops[WIRE_DROP_TOO_SHORT], 1);
	assert_int_equal(s.tx_drops[WIRE_DROP_TOO_LONG], 2);
	assert_int_equal(s.tx_frames, 1);
	assert_int_equal(s.tx_bytes, WIRE_FRAME_MAX);
	assert_int_equal(wire__recv(w, b, 2), 1);
	frame_check(&b[0], 9, WIRE_FRAME_MAX);
	bufs_free(b, 2);
	wire__close(w);
}

/* A frame in five segments, one of them empty, as the Tx descriptors of one packet. */
static void scatter(uint8_t *whole, size_t len, struct iovec *iov, struct wire_frame *f)
{
	iov[0] = (struct iovec){whole, 6};
	iov[1] = (struct iovec){whole + 6, 8};
	iov[2] = (struct iovec){whole + 14, 0};
	iov[3] = (struct iovec){whole + 14, 100};
	iov[4] = (struct iovec){whole + 114, len - 114};
	*f = (struct wire_frame){iov, 5};
}

static void test_scatter_gather_send(void **state)
{
	struct wire_cable *c;
	struct wire *w0, *w1, *l;
	struct wire_buf *b = bufs_alloc(2, WIRE_FRAME_MAX);
	uint8_t whole[1200];
	struct iovec iov[5];
	struct wire_frame f;

	assert_int_equal(wire_cable__create(&c), 0);
	w0 = open_ok("cable", c, 0);
	w1 = open_ok("cable", c, 1);
	l = open_ok("loop", NULL, 1);
	frame_fill(whole, sizeof(whole), 77);
	scatter(whole, sizeof(whole), iov, &f);
	assert_int_equal(wire__send(w0, &f, 1), 1);
	assert_int_equal(wire__send(l, &f, 1), 1);
	assert_int_equal(wire__recv(w1, b, 2), 1);
	frame_check(&b[0], 77, sizeof(whole));
	assert_int_equal(wire__recv(l, b, 2), 1);
	frame_check(&b[0], 77, sizeof(whole));
	assert_int_equal(stats(w0).tx_bytes, sizeof(whole));
	bufs_free(b, 2);
	wire__close(l);
	wire__close(w0);
	wire__close(w1);
	wire_cable__destroy(c);
}

static void test_loop_receives_own_frames(void **state)
{
	struct wire *w = open_ok("loop", NULL, 0);

	assert_true(wire__link_up(w));
	assert_true(wire__fd(w) >= 0);
	assert_false(readable(wire__fd(w)));
	assert_int_equal(send_batch(w, 10, 5), 10);
	assert_true(readable(wire__fd(w)));
	recv_expect(w, 10, 5);
	assert_false(readable(wire__fd(w)));
	assert_int_equal(stats(w).tx_frames, 10);
	assert_int_equal(stats(w).rx_frames, 10);
	assert_int_equal(stats(w).rx_bytes, stats(w).tx_bytes);
	wire__close(w);
}

static void test_null_counts_and_drops(void **state)
{
	struct wire *w = open_ok("null", NULL, 0);
	struct wire_buf *b = bufs_alloc(4, WIRE_FRAME_MAX);
	uint64_t bytes = 0;

	assert_true(wire__link_up(w));
	assert_int_equal(wire__fd(w), -1);
	assert_int_equal(send_batch(w, 7, 0), 7);
	for (uint32_t i = 0; i < 7; i++)
		bytes += frame_len(i);
	assert_int_equal(stats(w).tx_frames, 7);
	assert_int_equal(stats(w).tx_bytes, bytes);
	assert_int_equal(wire__recv(w, b, 4), 0);
	assert_int_equal(stats(w).rx_frames, 0);
	bufs_free(b, 4);
	wire__close(w);
}

/* Read a pcap file with libpcap itself and compare it frame for frame. */
static void pcap_expect(const char *file, unsigned n, const uint32_t *seqs, const size_t *lens)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, err);
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned i = 0;
	int rc;

	if (!p)
		fail_msg("pcap_open_offline %s: %s", file, err);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		struct wire_buf b = {.data = (void *)data, .len = h->caplen};

		assert_true(i < n);
		assert_int_equal(h->len, h->caplen);
		assert_true(h->ts.tv_sec > 1600000000);
		frame_check(&b, seqs[i], lens[i]);
		i++;
	}
	assert_int_equal(rc, PCAP_ERROR_BREAK);
	assert_int_equal(i, n);
	pcap_close(p);
}

static void test_pcap_writes_what_libpcap_reads(void **state)
{
	static uint8_t jumbo[WIRE_FRAME_MAX];
	uint32_t seqs[5] = {0, 1, 77, 2, 3};
	size_t lens[5] = {frame_len(0), frame_len(1), 1200, frame_len(2), WIRE_FRAME_MAX};
	char file[128], spec[160];
	uint8_t whole[1200];
	struct iovec iov[6];
	struct wire_frame f[2];
	struct wire_buf *b = bufs_alloc(2, WIRE_FRAME_MAX);
	struct wire *w;

	path(file, sizeof(file), "out.pcap");
	snprintf(spec, sizeof(spec), "pcap:%s", file);
	w = open_ok(spec, NULL, 0);
	assert_true(wire__link_up(w));
	assert_int_equal(wire__fd(w), -1);
	pcap_expect(file, 0, seqs, lens); /* the header is there at once */

	assert_int_equal(send_batch(w, 2, 0), 2);
	frame_fill(whole, sizeof(whole), 77);
	scatter(whole, sizeof(whole), iov, &f[0]);
	assert_int_equal(wire__send(w, f, 1), 1);
	/* Readable while the wire is still open: every batch is flushed. */
	pcap_expect(file, 3, seqs, lens);

	assert_int_equal(send_batch(w, 1, 2), 1);
	frame_fill(jumbo, sizeof(jumbo), 3);
	iov[5] = (struct iovec){jumbo, sizeof(jumbo)};
	f[1] = (struct wire_frame){&iov[5], 1};
	assert_int_equal(wire__send(w, &f[1], 1), 1);
	assert_int_equal(wire__recv(w, b, 2), 0);
	assert_int_equal(stats(w).tx_frames, 5);
	wire__close(w);
	pcap_expect(file, 5, seqs, lens);

	/* Opening again starts a new file. */
	w = open_ok(spec, NULL, 0);
	wire__close(w);
	pcap_expect(file, 0, seqs, lens);
	unlink(file);
	bufs_free(b, 2);
}

static struct wire *peer_open(const char *local, const char *remote)
{
	char a[128], b[128], spec[300];

	path(a, sizeof(a), local);
	path(b, sizeof(b), remote);
	snprintf(spec, sizeof(spec), "peer:%s,%s", a, b);
	return open_ok(spec, NULL, 0);
}

static void test_peer_machines_talk(void **state)
{
	struct wire *a, *b;
	struct wire_buf *bufs = bufs_alloc(65, WIRE_FRAME_MAX);
	uint8_t whole[1200];
	struct iovec iov[5];
	struct wire_frame f;

	a = peer_open("a.sock", "b.sock");
	assert_false(wire__link_up(a)); /* nobody at b.sock yet */
	assert_int_equal(send_batch(a, 2, 0), 0);
	assert_int_equal(stats(a).tx_drops[WIRE_DROP_LINK_DOWN], 2);

	b = peer_open("b.sock", "a.sock");
	assert_true(wire__link_up(b));
	assert_true(wire__link_up(a));
	assert_false(readable(wire__fd(b)));

	assert_int_equal(send_batch(a, 20, 100), 20);
	assert_true(readable(wire__fd(b)));
	recv_expect(b, 20, 100);
	assert_int_equal(send_batch(b, 20, 200), 20);
	recv_expect(a, 20, 200);

	/* A full batch in flight: connected to each other, the queue is not limited to 10. */
	assert_int_equal(send_batch(a, 64, 300), 64);
	recv_expect(b, 64, 300);

	frame_fill(whole, sizeof(whole), 77);
	scatter(whole, sizeof(whole), iov, &f);
	assert_int_equal(wire__send(b, &f, 1), 1);
	assert_int_equal(wire__recv(a, bufs, 2), 1);
	frame_check(&bufs[0], 77, sizeof(whole));
	assert_int_equal(stats(a).rx_frames, 20 + 1);
	assert_int_equal(stats(b).rx_frames, 20 + 64);
	bufs_free(bufs, 65);
	wire__close(a);
	wire__close(b);
}

static void test_peer_restarts_and_stale_sockets(void **state)
{
	struct wire *a, *b;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char bpath[128];
	int fd;

	a = peer_open("a.sock", "b.sock");
	b = peer_open("b.sock", "a.sock");
	assert_true(wire__link_up(a));
	assert_int_equal(send_batch(a, 3, 0), 3);

	/* B goes away: A's next send finds out, and so does its link. */
	wire__close(b);
	assert_int_equal(send_batch(a, 3, 3), 0);
	assert_true(stats(a).tx_drops[WIRE_DROP_LINK_DOWN] >= 1);
	assert_false(wire__link_up(a));

	/* B died without cleaning up: its socket file stays, and a new B reclaims it. */
	path(bpath, sizeof(bpath), "b.sock");
	memcpy(sun.sun_path, bpath, strlen(bpath) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	b = peer_open("b.sock", "a.sock");
	assert_true(wire__link_up(b));
	assert_true(wire__link_up(a));
	assert_int_equal(send_batch(a, 4, 10), 4);
	recv_expect(b, 4, 10);
	assert_int_equal(send_batch(b, 4, 20), 4);
	recv_expect(a, 4, 20);
	wire__close(a);
	wire__close(b);
}

static void test_peer_local_in_use(void **state)
{
	char a[128], c[128], spec[300];
	struct wire *w = peer_open("a.sock", "b.sock");
	int fd;

	path(a, sizeof(a), "a.sock");
	path(c, sizeof(c), "c.sock");
	snprintf(spec, sizeof(spec), "peer:%s,%s", a, c);
	expect_open_fails(spec, NULL, 0, -EADDRINUSE, "cannot bind");
	wire__close(w);

	/* Not a socket: left alone. */
	fd = open(a, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	expect_open_fails(spec, NULL, 0, -EADDRINUSE, "cannot bind");
	assert_int_equal(access(a, F_OK), 0);
	unlink(a);
}

static void test_peer_jumbo_and_short_buffers(void **state)
{
	static uint8_t jumbo[WIRE_FRAME_MAX];
	struct wire *a = peer_open("a.sock", "b.sock"), *b = peer_open("b.sock", "a.sock");
	struct wire_buf *small = bufs_alloc(4, 1600), *big = bufs_alloc(1, WIRE_FRAME_MAX);
	struct iovec iov = {jumbo, sizeof(jumbo)};
	struct wire_frame f = {&iov, 1};

	assert_true(wire__link_up(a));
	frame_fill(jumbo, sizeof(jumbo), 5);
	assert_int_equal(wire__send(a, &f, 1), 1);
	assert_int_equal(wire__recv(b, big, 1), 1);
	frame_check(&big[0], 5, WIRE_FRAME_MAX);

	/* A frame too long for its buffer is dropped; those after it close the gap. */
	assert_int_equal(send_batch(a, 1, 0), 1);
	assert_int_equal(wire__send(a, &f, 1), 1);
	assert_int_equal(send_batch(a, 2, 1), 2);
	assert_int_equal(wire__recv(b, small, 4), 3);
	frame_check(&small[0], 0, frame_len(0));
	frame_check(&small[1], 1, frame_len(1));
	frame_check(&small[2], 2, frame_len(2));
	assert_int_equal(stats(b).rx_drops[WIRE_DROP_TOO_LONG], 1);
	bufs_free(small, 4);
	bufs_free(big, 1);
	wire__close(a);
	wire__close(b);
}

static void test_drop_reasons_have_names(void **state)
{
	assert_string_equal(wire_drop__name(WIRE_DROP_FULL), "ring_full");
	assert_string_equal(wire_drop__name(WIRE_DROP_LINK_DOWN), "link_down");
	assert_string_equal(wire_drop__name(WIRE_DROP_NR), "unknown");
	for (unsigned i = 0; i < WIRE_DROP_NR; i++)
		assert_non_null(wire_drop__name((enum wire_drop)i));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_specs_are_rejected),
	    cmocka_unit_test(test_cable_carries_both_ways_in_order),
	    cmocka_unit_test(test_cable_link_needs_both_ends),
	    cmocka_unit_test(test_cable_full_ring_drops_and_counts),
	    cmocka_unit_test(test_cable_fd_says_when_frames_wait),
	    cmocka_unit_test(test_cable_two_threads),
	    cmocka_unit_test(test_short_receive_buffer_drops_frame),
	    cmocka_unit_test(test_send_checks_frame_length),
	    cmocka_unit_test(test_scatter_gather_send),
	    cmocka_unit_test(test_loop_receives_own_frames),
	    cmocka_unit_test(test_null_counts_and_drops),
	    cmocka_unit_test(test_pcap_writes_what_libpcap_reads),
	    cmocka_unit_test(test_peer_machines_talk),
	    cmocka_unit_test(test_peer_restarts_and_stale_sockets),
	    cmocka_unit_test(test_peer_local_in_use),
	    cmocka_unit_test(test_peer_jumbo_and_short_buffers),
	    cmocka_unit_test(test_drop_reasons_have_names),
	};

	return cmocka_run_group_tests_name("nic_wire", tests, group_setup, group_teardown);
}
