/*
 * A test double of the domain runtime (src/os/) for app unit tests: just the part of
 * include/vfnet/os.h and netdev.h that apps call, deterministic and single-threaded.
 *
 * - Time stands still until a test moves it: fake_now_ns, or fake_timers_run, which fires due
 *   timers in deadline order, setting the clock to each deadline.
 * - os__config answers from fake_config_set; os__log keeps the last line in fake_log_last.
 * - os__watch_fd records one watch per fd (fake_fd_fire calls it); os__schedule queues work that
 *   fake_work_run runs.
 * - A struct fake_netdev is a netdev whose xmit takes at most `accept` frames per call (or fails
 *   with xmit_err) and copies what it takes into tx[]; fake_netdev_rx hands frames to its
 *   listeners as a driver's NAPI poll would.
 */
#ifndef VFNET_TESTS_FAKE_OS_H
#define VFNET_TESTS_FAKE_OS_H

#include <stdbool.h>
#include <stdint.h>

#include "vfnet/netdev.h"
#include "vfnet/os.h"

#define FAKE_TX_MAX 512

extern uint64_t fake_now_ns;
extern char fake_log_last[256];

/* Forget timers, watches, work, configuration and the log; the clock goes to @now. */
void fake_os_reset(uint64_t now);
void fake_config_set(const char *key, const char *value); /* NULL value removes */
/* Fire every timer due at or before @until (at most @max callbacks); the clock ends at @until.
 * Returns how many fired. */
unsigned fake_timers_run(uint64_t until, unsigned max);
/* Nanoseconds until the earliest armed timer, or UINT64_MAX. */
uint64_t fake_timer_next(void);
bool fake_fd_fire(int fd, uint32_t events);
bool fake_fd_watched(int fd);
unsigned fake_work_run(void);

struct fake_frame {
	uint8_t data[ETH_FRAME_MAX];
	uint16_t len, vlan, flags;
};

struct fake_netdev {
	struct netdev nd;
	unsigned accept; /* frames xmit takes per call */
	int xmit_err;	 /* when non-zero, xmit returns it */
	unsigned xmit_calls;
	uint64_t ntx; /* frames taken; the first FAKE_TX_MAX are in tx[] */
	struct fake_frame tx[FAKE_TX_MAX];
};

/* A netdev called @name with @mac, up, with carrier, that takes everything. */
void fake_netdev_init(struct fake_netdev *f, const char *name, const uint8_t mac[ETH_ALEN]);
void fake_netdev_rx(struct fake_netdev *f, const struct pkt *pkts, unsigned n);

#endif
