/*
 * The NIC benchmark behind `vfnet bench nic` and `make bench`: VF to VF on one port, through
 * the IOMMU, with the engine on its own thread and a driver thread doing what igbvf's data path
 * does (Tx descriptors and one TDT write per batch, Rx polling and refill with one RDT write per
 * batch), register writes going through request rings as a guest's would.
 */
#ifndef VFNET_CLI_BENCH_NIC_H
#define VFNET_CLI_BENCH_NIC_H

#include <stdint.h>

struct bench_nic_result {
	unsigned size, batch;
	double mpps;          /* frames received per second of wall time, millions */
	double gbps;          /* the same in Gbit/s of frame bytes */
	double engine_ns;     /* engine CPU time per frame */
	double mpps_per_core; /* 1000 / engine_ns: what one engine core moves */
	uint64_t frames, drops;
	uint64_t sleeps;       /* times the engine went to sleep during the run */
};

/* One run of @seconds for frames of @size bytes, @batch frames per doorbell. 0 or -errno. */
int bench_nic__run(unsigned size, unsigned batch, double seconds, struct bench_nic_result *out);

#endif
