/* MSI-X table and PBA in BAR3 (PCI 3.0 section 6.8.2), and sending the messages. */
#include <errno.h>
#include <string.h>

#include "hw/nic/nic.h"
#include "hw/pci/cap.h"
#include "lib/compiler.h"

#define MSIX_ENTRY_SIZE 16
#define MSIX_CTRL_MASKED 1u

void nic_msix__init(struct nic_msix *m, unsigned nvec)
{
	memset(m, 0, sizeof(*m));
	m->nvec = nvec;
	/* Entries come out of reset masked. */
	for (unsigned v = 0; v < nvec; v++)
		m->table[v][3] = MSIX_CTRL_MASKED;
}

static uint16_t msix_flags(const struct pci_func *fn)
{
	return (uint16_t)pci_func__get(fn, E82576_CAP_MSIX + PCI_MSIX_FLAGS, 2);
}

static void send(struct nic_port *p, struct pci_func *fn, struct nic_msix *m, unsigned v)
{
	uint64_t addr = m->table[v][0] | (uint64_t)m->table[v][1] << 32;

	m->pba &= ~(1ull << v);
	nic_stat_inc(&p->stats.msi_sent);
	p->nic->msi(p->nic->msi_opaque, fn->rid, addr, m->table[v][2]);
}

static bool can_send(const struct pci_func *fn, const struct nic_msix *m, unsigned v)
{
	uint16_t fl = msix_flags(fn);

	/* A function without Bus Master Enable issues no memory writes, MSIs included. */
	return (fl & PCI_MSIX_FLAGS_ENABLE) && !(fl & PCI_MSIX_FLAGS_MASKALL) &&
	       !(m->table[v][3] & MSIX_CTRL_MASKED) &&
	       (pci_func__get(fn, PCI_COMMAND, 2) & PCI_COMMAND_MASTER);
}

void nic_msix__notify(struct nic_port *p, struct pci_func *fn, struct nic_msix *m, unsigned v)
{
	if (v >= m->nvec)
		return;
	if (can_send(fn, m, v)) {
		send(p, fn, m, v);
	} else if (!(m->pba & (1ull << v))) {
		m->pba |= 1ull << v;
		nic_stat_inc(&p->stats.msi_pending);
	}
}

void nic_msix__cfg_changed(struct nic_port *p, struct pci_func *fn, struct nic_msix *m)
{
	for (unsigned v = 0; v < m->nvec; v++)
		if ((m->pba & (1ull << v)) && can_send(fn, m, v))
			send(p, fn, m, v);
}

int nic_msix__access(struct nic_port *p, struct pci_func *fn, struct nic_msix *m, uint64_t off,
		     unsigned size, bool write, uint64_t *val)
{
	if ((size != 4 && size != 8) || (off & (size - 1)) || off >= E82576_PF_BAR3_SIZE)
		return -EINVAL;
	if (off < (uint64_t)m->nvec * MSIX_ENTRY_SIZE) {
		unsigned v = (unsigned)(off / MSIX_ENTRY_SIZE), w = (unsigned)(off % MSIX_ENTRY_SIZE) / 4;

		for (unsigned i = 0; i < size / 4; i++, w++) {
			if (!write) {
				uint64_t d = m->table[v][w];

				*val = i ? (*val | d << 32) : d;
				continue;
			}
			uint32_t d = (uint32_t)(*val >> (32 * i));

			/* Only the mask bit of Vector Control is writable. */
			if (w == 3) {
				m->table[v][3] = d & MSIX_CTRL_MASKED;
				if (!(d & MSIX_CTRL_MASKED) && (m->pba & (1ull << v)) &&
				    can_send(fn, m, v))
					send(p, fn, m, v);
			} else {
				m->table[v][w] = w == 0 ? d & ~3u : d;
			}
		}
		return 0;
	}
	if (off >= E82576_MSIX_PBA_OFFSET && off < E82576_MSIX_PBA_OFFSET + 8) {
		/* The PBA is read-only. */
		if (!write)
			*val = size == 8 ? m->pba : (uint32_t)(m->pba >> (8 * (off & 4)));
		else
			nic_stat_inc(&p->stats.ignored_writes);
		return 0;
	}
	/* Reserved space inside the BAR: reads 0, writes ignored. */
	if (!write)
		*val = 0;
	else
		nic_stat_inc(&p->stats.ignored_writes);
	return 0;
}
