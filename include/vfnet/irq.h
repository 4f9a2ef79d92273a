/*
 * Interrupts in a domain. A device's MSI-X entry carries a vector of the domain (32..255); the
 * machine posts it into the domain's shared page and wakes the vCPU, which runs the handler.
 * Handlers run on the vCPU thread, like a threaded IRQ handler: acknowledge, schedule, return.
 */
#ifndef VFNET_IRQ_H
#define VFNET_IRQ_H

#include <stdint.h>

typedef void (*irq_handler_t)(int vector, void *opaque);

/* A free vector with @handler installed, or -ENOSPC. */
int irq__request(irq_handler_t handler, void *opaque);
void irq__free(int vector);

/* Deliveries per vector since boot (what `vfnet stats` shows as interrupts). */
uint64_t irq__count(int vector);

#endif
