/*
 * The attacks. Each runs on the vCPU until its time is up (or its count is reached) and counts
 * what it sent and what came back; none of them can do more than a guest kernel with its VF.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <signal.h>
#include <string.h>

#include <json-c/json.h>

#include "vfnet/dma.h"
#include "vfnet/irq.h"

#include "hostile.h"

#define RING_BYTES 4096
#define BAD_BUS	   0xdead00000000ull /* far outside any domain's RAM */

struct ctx {
	struct hostile *h;
	struct hostile_result *r;
	struct json_object *arg;
	uint64_t until;
	uint64_t count; /* 0: until the time is up */
	uint64_t rng;
};

static bool more(struct ctx *c)
{
	if (c->h->pdev->gone)
		return false;
	if (c->count && c->r->ops >= c->count)
		return false;
	return os__now_ns() < c->until;
}

static uint32_t rnd(struct ctx *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return (uint32_t)c->rng;
}

static uint64_t arg_u64(struct ctx *c, const char *key, uint64_t def)
{
	struct json_object *v;

	if (c->arg && json_object_object_get_ex(c->arg, key, &v) &&
	    json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0)
		return (uint64_t)json_object_get_int64(v);
	return def;
}

static void tally(struct ctx *c, int err)
{
	c->r->ops++;
	if (!err)
		c->r->acked++;
	else if (err == -EPERM)
		c->r->nacked++;
	else if (err == -ETIMEDOUT)
		c->r->timeouts++;
	else
		c->r->errors++;
}

static int start_mailbox(struct ctx *c)
{
	uint8_t mac[6];
	int err = hostile_mbx_reset(c->h, mac);

	if (err)
		os__log(HOSTILE_NAME, "reset handshake failed: %d", err);
	return err;
}

/* SET_VLAN add for VID vid0, vid0 + 1, ...: a filter per request, as many as the PF gives. */
static int vlan_flood(struct ctx *c)
{
	uint16_t vid = (uint16_t)arg_u64(c, "vid0", 100);
	int err = start_mailbox(c);

	if (err)
		return err;
	while (more(c)) {
		uint32_t msg[2] = {HOSTILE_VF_SET_VLAN | HOSTILE_VF_VLAN_ADD, vid};

		tally(c, hostile_mbx_request(c->h, msg, 2, 1));
		vid = vid >= 4094 ? 1 : (uint16_t)(vid + 1);
	}
	return 0;
}

/* SET_MAC_ADDR MAC_FILTER_ADD with a new unicast address each time. */
static int mac_flood(struct ctx *c)
{
	int err = start_mailbox(c);

	if (err)
		return err;
	for (uint32_t n = 0; more(c); n++) {
		uint32_t msg[3] = {HOSTILE_VF_SET_MAC | HOSTILE_VF_MAC_ADD,
				   0x02 | 0xee << 8 | (n >> 8 & 0xff) << 16 | (n & 0xffu) << 24,
				   0x0101};

		tally(c, hostile_mbx_request(c->h, msg, 3, 1));
	}
	return 0;
}

/* Take the buffer (VFU) and ring REQ every millisecond, never letting go until the end. */
static int mbx_hold(struct ctx *c)
{
	while (more(c)) {
		pci__writel(c->h->hw, E1000_V2PMAILBOX,
			    E1000_V2PMAILBOX_VFU | E1000_V2PMAILBOX_REQ);
		c->r->ops++;
		os__udelay(1000);
	}
	pci__writel(c->h->hw, E1000_V2PMAILBOX, 0);
	return 0;
}

/* Garbage in the buffer and random control bits. */
static int mbx_random(struct ctx *c)
{
	while (more(c)) {
		for (unsigned i = 0; i < 16; i++)
			pci__writel_post(c->h->hw, E1000_VMBMEM(i), rnd(c));
		pci__writel(c->h->hw, E1000_V2PMAILBOX, rnd(c) & 0xff);
		c->r->ops++;
		os__udelay(50);
	}
	pci__writel(c->h->hw, E1000_V2PMAILBOX, 0);
	return 0;
}

/* Config space as fast as the hypervisor answers: reads anywhere, writes to Command. */
static int cfg_storm(struct ctx *c)
{
	uint32_t v;

	while (more(c)) {
		int err = pci__cfg_read(c->h->pdev, (rnd(c) % 1024) * 4, 4, &v);

		if (!err)
			err = pci__cfg_write(c->h->pdev, PCI_COMMAND, 2,
					     PCI_COMMAND_MEMORY | (rnd(c) & PCI_COMMAND_MASTER));
		c->r->ops += 2;
		c->r->errors += err != 0;
	}
	pci__set_master(c->h->pdev, true);
	return 0;
}

/* Function-level resets, back to back. */
static int flr_storm(struct ctx *c)
{
	unsigned pcie = pci__find_cap(c->h->pdev, PCI_CAP_ID_EXP);
	uint32_t ctl;

	if (!pcie || pci__cfg_read(c->h->pdev, pcie + PCI_EXP_DEVCTL, 2, &ctl))
		return -ENODEV;
	while (more(c)) {
		int err = pci__cfg_write(c->h->pdev, pcie + PCI_EXP_DEVCTL, 2,
					 ctl | PCI_EXP_DEVCTL_BCR_FLR);

		c->r->ops++;
		c->r->errors += err != 0;
	}
	return 0;
}

static void ignore_irq(int vector, void *opaque)
{
}

/* MSI-X entries set, masked, unmasked and the capability toggled, each a trapped access. */
static int msix_storm(struct ctx *c)
{
	int vec = irq__request(ignore_irq, NULL);
	unsigned n = pci__msix_count(c->h->pdev);

	if (vec < 0)
		return vec;
	if (!n) {
		irq__free(vec);
		return -ENODEV;
	}
	while (more(c)) {
		unsigned e = rnd(c) % n;
		int err = pci__msix_set(c->h->pdev, e, vec);

		if (!err)
			err = pci__msix_mask(c->h->pdev, e, true);
		if (!err)
			err = pci__msix_enable(c->h->pdev, rnd(c) & 1);
		c->r->ops += 7; /* msix_set is five table writes */
		c->r->errors += err != 0;
	}
	pci__msix_enable(c->h->pdev, false);
	irq__free(vec);
	return 0;
}

static void ring_program(struct hostile *h, uint64_t tx, uint64_t rx, uint32_t tail)
{
	pci__writel(h->hw, E1000_TXDCTL(0), 0);
	pci__writel(h->hw, E1000_RXDCTL(0), 0);
	pci__writel_post(h->hw, E1000_TDBAL(0), (uint32_t)tx);
	pci__writel_post(h->hw, E1000_TDBAH(0), (uint32_t)(tx >> 32));
	pci__writel_post(h->hw, E1000_TDLEN(0), RING_BYTES);
	pci__writel_post(h->hw, E1000_TDH(0), 0);
	pci__writel_post(h->hw, E1000_RDBAL(0), (uint32_t)rx);
	pci__writel_post(h->hw, E1000_RDBAH(0), (uint32_t)(rx >> 32));
	pci__writel_post(h->hw, E1000_RDLEN(0), RING_BYTES);
	pci__writel_post(h->hw, E1000_RDH(0), 0);
	pci__writel_post(h->hw, E1000_SRRCTL(0), 2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF);
	pci__writel_post(h->hw, E1000_TXDCTL(0), E1000_TXDCTL_QUEUE_ENABLE);
	pci__writel_post(h->hw, E1000_RXDCTL(0), E1000_RXDCTL_QUEUE_ENABLE);
	pci__writel_post(h->hw, E1000_RDT(0), tail);
	pci__writel(h->hw, E1000_TDT(0), tail);
}

/*
 * Rings broken and made again: descriptor rings outside the domain's RAM, then rings in its RAM
 * whose descriptors point outside it (with EOP, so the engine fetches the buffers), a VF reset,
 * and BAR0 unmapped and mapped again; round after round.
 */
static int ring_churn(struct ctx *c)
{
	uint64_t tx_bus, rx_bus;
	uint64_t *tx = dma__alloc(RING_BYTES, &tx_bus), *rx = dma__alloc(RING_BYTES, &rx_bus);
	int err = 0;

	if (!tx || !rx) {
		err = -ENOMEM;
		goto out;
	}
	while (more(c)) {
		ring_program(c->h, BAD_BUS, BAD_BUS + RING_BYTES, 64);
		for (unsigned i = 0; i < RING_BYTES / 8; i += 2) {
			tx[i] = BAD_BUS + (uint64_t)(rnd(c) & 0xfffff000u);
			tx[i + 1] = 0x2b300000ull | 0x01000000ull | (rnd(c) & 0x3fff); /* EOP */
			rx[i] = BAD_BUS + (uint64_t)(rnd(c) & 0xfffff000u);
			rx[i + 1] = 0;
		}
		ring_program(c->h, tx_bus, rx_bus, (rnd(c) % 255) + 1);
		(void)pci__readl(c->h->hw, E1000_STATUS); /* after everything above */
		pci__writel(c->h->hw, E1000_CTRL, E1000_CTRL_RST);
		pci__iounmap(c->h->hw);
		c->h->hw = pci__iomap(c->h->pdev, 0);
		c->r->ops++;
		if (!c->h->hw) {
			err = -errno;
			break;
		}
	}
out:
	if (c->h->hw) {
		pci__writel(c->h->hw, E1000_TXDCTL(0), 0);
		pci__writel(c->h->hw, E1000_RXDCTL(0), 0);
	}
	dma__free(tx, RING_BYTES);
	dma__free(rx, RING_BYTES);
	return err;
}

/* Every BAR0 offset, any value, posted writes in long runs (the request ring fills). */
static int reg_storm(struct ctx *c)
{
	while (more(c)) {
		for (unsigned i = 0; i < 256; i++)
			pci__writel_post(c->h->hw, (rnd(c) % (0x4000 / 4)) * 4, rnd(c));
		pci__flush(c->h->hw);
		(void)pci__readl(c->h->hw, (rnd(c) % (0x4000 / 4)) * 4);
		c->r->ops += 257;
	}
	return 0;
}

/* A crash: the process dies with SIGSEGV, as a guest kernel's oops would end it. */
static int crash(struct ctx *c)
{
	os__log(HOSTILE_NAME, "crashing on purpose");
	raise(SIGSEGV);
	return -EFAULT; /* not reached unless SIGSEGV is blocked */
}

static const struct {
	const char *name;
	int (*fn)(struct ctx *c);
} attacks[] = {
    {"vlan-flood", vlan_flood}, {"mac-flood", mac_flood}, {"mbx-hold", mbx_hold},
    {"mbx-random", mbx_random}, {"cfg", cfg_storm},	  {"flr", flr_storm},
    {"msix", msix_storm},	{"rings", ring_churn},	  {"regs", reg_storm},
    {"crash", crash},
};

const char *hostile_attack_names(void)
{
	return "vlan-flood, mac-flood, mbx-hold, mbx-random, cfg, flr, msix, rings, regs, crash";
}

int hostile_attack(struct hostile *h, const char *name, uint64_t ms, void *arg,
		   struct hostile_result *r)
{
	uint64_t t0 = os__now_ns();
	struct ctx c = {.h = h, .r = r, .arg = arg, .until = t0 + ms * 1000000ull, .rng = t0 | 1};

	memset(r, 0, sizeof(*r));
	c.count = arg_u64(&c, "count", 0);
	for (unsigned i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		if (strcmp(attacks[i].name, name))
			continue;
		int err = attacks[i].fn(&c);

		r->ns = os__now_ns() - t0;
		return err;
	}
	return -EINVAL;
}
