/* `vfnet capture vif1.0`: a domain's interface into a pcap file (capture_dev.h). */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/capture_dev.h"
#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ctl.h"
#include "vfnet/abi.h"

#define RD_BUF (256u * 1024)

bool capture_dev__is_dom0_dev(const char *t)
{
	unsigned d, n;
	char end;

	if (sscanf(t, "vif%u.%u%c", &d, &n, &end) == 2)
		return true;
	return !strncmp(t, "xenbr", 5) && t[5];
}

/* The reply line, read a byte at a time: the records follow it on the same stream. */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r ? -errno : -ECONNRESET;
		if (buf[n] == '\n') {
			buf[n] = '\0';
			return 0;
		}
		n++;
	}
	return -EPROTO;
}

static int start(const char *domain, const char *dev, int *fdp, uint32_t *snaplen)
{
	struct json_object *creq = ctl__req("connect", "domain", domain), *crep = NULL, *rep, *v;
	struct json_object *req;
	char line[1024];
	const char *s;
	int fd = -1, rc;

	rc = client__call_fd("capture", creq, &crep, &fd);
	json_object_put(creq);
	json_object_put(crep);
	if (rc)
		return rc;
	if (fd < 0)
		return cmd__fail("capture", "the host passed no connection to domain %s", domain);
	req = ctl__req("capture", "dev", dev);
	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	rc = dprintf(fd, "%s\n", s) < 0 ? -errno : read_line(fd, line, sizeof(line));
	json_object_put(req);
	if (rc) {
		close(fd);
		return cmd__fail("capture", "no reply from domain %s: %s", domain, strerror(-rc));
	}
	rep = json_tokener_parse(line);
	if (!rep || !json_object_object_get_ex(rep, "ok", &v) || !json_object_get_boolean(v)) {
		rc = cmd__fail("capture", "%s",
			       rep && json_object_object_get_ex(rep, "error", &v)
				   ? json_object_get_string(v)
				   : "the domain refused without a reason");
		json_object_put(rep);
		close(fd);
		return rc;
	}
	*snaplen = json_object_object_get_ex(rep, "snaplen", &v) ? (uint32_t)json_object_get_int(v)
								 : VFNET_CAP_SNAPLEN;
	json_object_put(rep);
	if (*snaplen < 64 || *snaplen > VFNET_CAP_SNAPLEN) {
		close(fd);
		return cmd__fail("capture", "domain %s gave a bad snap length", domain);
	}
	*fdp = fd;
	return EXIT_OK;
}

int capture_dev__run(const char *domain, const char *dev, const char *file, uint64_t count,
		     volatile sig_atomic_t *interrupted)
{
	uint8_t *buf = NULL;
	size_t have = 0;
	uint64_t written = 0, drops = 0;
	pcap_dumper_t *dumper = NULL;
	pcap_t *pc = NULL;
	uint32_t snaplen = VFNET_CAP_SNAPLEN;
	const char *why = NULL;
	char whybuf[160];
	int fd = -1, rc;

	if ((rc = start(domain, dev, &fd, &snaplen)))
		return rc;
	if (!(buf = malloc(RD_BUF)) || !(pc = pcap_open_dead(DLT_EN10MB, (int)snaplen))) {
		rc = cmd__fail("capture", "out of memory");
		goto out;
	}
	if (!(dumper = pcap_dump_open(pc, file))) {
		rc = cmd__fail("capture", "cannot write %s: %s", file, pcap_geterr(pc));
		goto out;
	}
	fprintf(stderr, "capturing on %s of %s, writing %s\n", dev,
		!strcmp(domain, "0") ? "dom0" : domain, file);
	while (!*interrupted && (!count || written < count) && !why) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;
		size_t at = 0;

		if (poll(&p, 1, 200) <= 0)
			continue; /* a signal or nothing yet */
		n = read(fd, buf + have, RD_BUF - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			why = "the domain ended the capture (its interface went, or it stopped)";
			break;
		}
		have += (size_t)n;
		while (have - at >= sizeof(struct vfnet_cap_rec) && (!count || written < count)) {
			struct vfnet_cap_rec r;
			struct pcap_pkthdr h;

			memcpy(&r, buf + at, sizeof(r));
			if (r.caplen > snaplen || r.caplen > r.len || r.len > 65535 + 4) {
				why = "the domain sent a record that is not one";
				break;
			}
			if (have - at < sizeof(r) + r.caplen)
				break;
			h.ts.tv_sec = (time_t)(r.ts_ns / 1000000000ull);
			h.ts.tv_usec = (suseconds_t)(r.ts_ns % 1000000000ull / 1000);
			h.caplen = r.caplen;
			h.len = r.len;
			pcap_dump((u_char *)dumper, &h, buf + at + sizeof(r));
			drops = r.drops;
			written++;
			at += sizeof(r) + r.caplen;
		}
		memmove(buf, buf + at, have - at);
		have -= at;
		errno = 0;
		if (pcap_dump_flush(dumper) || ferror(pcap_dump_file(dumper))) {
			snprintf(whybuf, sizeof(whybuf), "writing the file failed: %s",
				 errno ? strerror(errno) : "I/O error");
			why = whybuf;
		}
	}
	if (*interrupted)
		fputc('\n', stderr);
	fprintf(stderr, "%" PRIu64 " packets captured, %" PRIu64 " dropped\n", written, drops);
	rc = why ? cmd__fail("capture", "%s", why) : EXIT_OK;
out:
	if (dumper)
		pcap_dump_close(dumper);
	if (pc)
		pcap_close(pc);
	free(buf);
	close(fd);
	return rc;
}
