/*
 * The machine's control socket: a unix stream socket on which tools (`vfnet lspci`, `vfnet iommu
 * faults`, ...) send one JSON object per line and get one JSON object per line back.
 *
 *   request   {"op": "NAME", ...arguments}
 *   reply     {"ok": true, ...results}  or  {"ok": false, "error": "one line"}
 *
 * Operations:
 *   lspci          [config: 64|256|4096]  every function that answers: bdf, class, vendor,
 *                  device, revision, names; with config, that many bytes of config space as hex
 *                  (a conventional function stops at 256), read by config cycles
 *   stats          per port: NIC port counters, datapath counters with drops by reason, engine
 *                  counters and CPU time; the IOMMU's counters
 *   iommu-faults   pops every pending fault record and decodes it
 *   top            CPU times (domains, hypervisor, NIC engines) and per-VF counters, read at
 *                  once for rates (control_top.c)
 *   capture-start  target ("pf0", "pf1": the wire; "pf0vf3": a VF), path (absolute: the machine
 *                  creates the file), [count]: a pcap file of what the target sends and
 *                  receives; returns its id. One capture per port (control_capture.c)
 *   capture-status id: frames written and dropped, done (count reached, stopped, or failed)
 *   capture-stop   id: stop, write what is left, close the file
 *   capture-list   every capture, running or the last ended one of each port, with why it ended.
 *                  A capture ends when the connection that started it closes
 *   shutdown       replies, then the server stops
 *
 * Every request is checked where it enters: it must be one JSON object of at most
 * CONTROL_MAX_REQUEST bytes, with a known op and only that op's keys, each of the right type.
 * Anything else gets an error reply and changes nothing. The server runs on the machine's control
 * thread, the only thread that makes config cycles and reads the fault log.
 */
#ifndef VFNET_VMM_CONTROL_H
#define VFNET_VMM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes in one request, without its newline: room for a xenstore value of the most bytes Xen
 * allows (XENSTORE_PAYLOAD_MAX), each escaped as JSON "\u00XX" (six characters). */
#define CONTROL_MAX_REQUEST 32768
#define CONTROL_MAX_CLIENTS 16   /* connections served at once; more are refused */

struct machine;
struct control;
struct hv;

int control__create(struct control **out, struct machine *m);
void control__destroy(struct control *c);
/* The hypervisor whose domains the domain operations act on (none: they fail). */
void control__set_hv(struct control *c, struct hv *hv);

/*
 * Handle one request: @len bytes at @req (no newline needed, no NUL required). Returns the
 * reply as a malloc'd, NUL-terminated single line without its newline, or NULL when out of
 * memory. This is the whole protocol without a socket: the fuzzer and unit tests call it.
 */
char *control__handle(struct control *c, const char *req, size_t len);

/* A shutdown request was handled. */
bool control__stopping(const struct control *c);

/*
 * Listen at @path: creates its directory if missing (mode 0700), refuses with -EADDRINUSE when
 * a server already answers there, replaces a stale socket file. Returns the listening fd or
 * -errno (-ENAMETOOLONG for a path that does not fit a sockaddr_un).
 */
int control__listen(const char *path);

/*
 * Serve clients on @listen_fd from @loop, the machine's control thread. A client that sends
 * garbage, an oversized line or hangs up mid-line is answered or dropped on its own; others are
 * not affected. After a shutdown request, once its reply has gone out, the loop is stopped.
 * control__destroy detaches. 0 or -errno.
 */
struct vloop;
int control__attach(struct control *c, struct vloop *loop, int listen_fd);

#endif
