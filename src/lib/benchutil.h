/* Helpers every benchmark shares: the machine's name and the median of runs. */
#ifndef VFNET_LIB_BENCHUTIL_H
#define VFNET_LIB_BENCHUTIL_H

#include <stddef.h>

/* The CPU's model name from /proc/cpuinfo ("unknown CPU" when there is none). */
void bench__cpu_model(char *buf, size_t len);
/* Sorts v[0..n) ascending and returns its median (the mean of the middle two when n is even). */
double bench__median(double *v, unsigned n);

#endif
