/*
 * DMA memory of a domain. A domain's RAM is all DMA-able: every device assigned to it reaches it
 * through the IOMMU at IOVA = guest-physical address, which is the bus address here. Allocations
 * are zeroed and page-aligned, coherent (no cache maintenance: one host, one memory).
 */
#ifndef VFNET_DMA_H
#define VFNET_DMA_H

#include <stddef.h>
#include <stdint.h>

/* @size bytes (rounded up to pages), or NULL; *@bus is the address a device uses. */
void *dma__alloc(size_t size, uint64_t *bus);
void dma__free(void *cpu, size_t size);

/* Translations within the domain's RAM (0 / NULL outside it). */
uint64_t dma__bus(const void *cpu);
void *dma__cpu(uint64_t bus, size_t len);

/* Bytes of RAM still free for allocations. */
size_t dma__free_bytes(void);

#endif
