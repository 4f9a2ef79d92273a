#include "hw/pci/sriov.h"

#include <errno.h>

#include "hw/pci/cap.h"
#include "lib/compiler.h"
#include "lib/log.h"

#define SRIOV_SIZE 0x40

static uint32_t rd(const struct pci_sriov *s, unsigned reg, unsigned size)
{
	return pci_func__get(s->pf, s->cap + reg, size);
}

static void wr(struct pci_sriov *s, unsigned reg, unsigned size, uint32_t v)
{
	pci_func__set(s->pf, s->cap + reg, size, v);
}

static bool is_leader(const struct pci_sriov *s)
{
	return s->leader == s;
}

static uint64_t page_size(const struct pci_sriov *s)
{
	uint32_t ps = rd(s, PCI_SRIOV_SYS_PGSIZE, 4);

	return ps ? 4096ull << __builtin_ctz(ps) : 4096;
}

uint64_t pci_sriov__vf_bar_size(const struct pci_func *pf, unsigned bar)
{
	const struct pci_sriov *s = pf->sriov;

	if (!s || bar >= PCI_NUM_BARS || s->vf_bar[bar].kind == PCI_BAR_NONE)
		return 0;
	return MAX(s->vf_bar[bar].size, page_size(s));
}

/* VF BAR address bits below the per-VF size are read-only zero: that is the sizing protocol. */
static void update_vf_bar_masks(struct pci_sriov *s)
{
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		unsigned reg = PCI_SRIOV_BAR + 4 * b;
		uint64_t mask = ~(pci_sriov__vf_bar_size(s->pf, b) - 1);

		if (s->vf_bar[b].kind == PCI_BAR_NONE)
			continue;
		pci_func__set_wmask(s->pf, s->cap + reg, 4, (uint32_t)mask & ~0xfu);
		wr(s, reg, 4, rd(s, reg, 4) & ((uint32_t)mask | 0xfu));
		if (s->vf_bar[b].kind == PCI_BAR_MEM64)
			pci_func__set_wmask(s->pf, s->cap + reg + 4, 4, (uint32_t)(mask >> 32)), b++;
	}
}

static bool vf_enable_set(const struct pci_sriov *s)
{
	return rd(s, PCI_SRIOV_CTRL, 2) & PCI_SRIOV_CTRL_VFE;
}

/* Whether any PF of the device has VF Enable set: the hierarchy bit must not move then. */
static bool device_has_vfs(const struct pci_sriov *leader)
{
	bool any = vf_enable_set(leader);

	for (unsigned i = 0; i < leader->npeers; i++)
		any |= vf_enable_set(leader->peers[i]);
	return any;
}

/*
 * While VF Enable is set, the fields that define the VFs are frozen (SR-IOV 1.1 3.3.3.1):
 * NumVFs and System Page Size of that PF, and the device's ARI Capable Hierarchy bit while
 * any of its PFs has VFs (changing it would move their routing IDs under them).
 */
static void update_masks(struct pci_sriov *s)
{
	bool frozen = vf_enable_set(s);

	pci_func__set_wmask(s->pf, s->cap + PCI_SRIOV_NUM_VF, 2, frozen ? 0 : 0xffff);
	pci_func__set_wmask(s->pf, s->cap + PCI_SRIOV_SYS_PGSIZE, 4,
			    frozen ? 0 : rd(s, PCI_SRIOV_SUP_PGSIZE, 4));
	pci_func__set_wmask(s->pf, s->cap + PCI_SRIOV_CTRL, 2,
			    PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE |
				    (is_leader(s) && !device_has_vfs(s) ? PCI_SRIOV_CTRL_ARI : 0));
	update_vf_bar_masks(s);
	if (!is_leader(s))
		update_masks(s->leader);
}

bool pci_sriov__ari(const struct pci_func *pf)
{
	const struct pci_sriov *s = pf->sriov;

	return s && (rd(s->leader, PCI_SRIOV_CTRL, 2) & PCI_SRIOV_CTRL_ARI);
}

static void update_layout(struct pci_sriov *s)
{
	uint16_t offset = 0, stride = 0;

	/* A PF with VFs keeps the layout they were enabled with. */
	if (vf_enable_set(s) && s->enabled)
		return;
	s->ops->layout(s->pf, rd(s, PCI_SRIOV_NUM_VF, 2), pci_sriov__ari(s->pf), &offset, &stride);
	wr(s, PCI_SRIOV_VF_OFFSET, 2, offset);
	wr(s, PCI_SRIOV_VF_STRIDE, 2, stride);
}

static void enable_vfs(struct pci_sriov *s)
{
	unsigned n = MIN(rd(s, PCI_SRIOV_NUM_VF, 2), s->total);
	uint32_t offset = rd(s, PCI_SRIOV_VF_OFFSET, 2), stride = rd(s, PCI_SRIOV_VF_STRIDE, 2);

	s->enabled = 0;
	for (unsigned i = 0; i < n; i++) {
		struct pci_func *vf = &s->vfs[i];
		uint32_t rid = s->pf->rid + offset + i * stride;

		/* A VF past the last routing ID, or two VFs on one ID, cannot exist. */
		if (rid > 0xffff || (i && !stride) || (!offset && !i))
			break;
		pci_func__reset_config(vf);
		vf->rid = (uint16_t)rid;
		vf->present = true;
		s->enabled++;
	}
	if (s->enabled != n)
		pr_warn("pci", "%02x:%02x.%x: only %u of %u VFs fit the routing ID space",
			PCI_RID_BUS(s->pf->rid), PCI_RID_DEV(s->pf->rid), PCI_RID_FN(s->pf->rid),
			s->enabled, n);
	if (s->ops->vf_enable)
		s->ops->vf_enable(s->pf, 0, s->enabled);
}

static void disable_vfs(struct pci_sriov *s)
{
	unsigned before = s->enabled;

	for (unsigned i = 0; i < s->total; i++)
		s->vfs[i].present = false;
	s->enabled = 0;
	if (s->ops->vf_enable)
		s->ops->vf_enable(s->pf, before, 0);
}

static bool overlaps(unsigned off, unsigned size, unsigned reg, unsigned len)
{
	return off < reg + len && reg < off + size;
}

/* The value a field of the capability had before a write that touched bytes [rel, rel+size). */
static uint32_t field_before(const struct pci_sriov *s, unsigned rel, unsigned size, uint32_t old,
			     unsigned reg, unsigned len)
{
	uint32_t v = rd(s, reg, len);

	for (unsigned i = 0; i < size; i++) {
		if (rel + i < reg || rel + i >= reg + len)
			continue;
		v &= ~(0xffu << (8 * (rel + i - reg)));
		v |= ((old >> (8 * i)) & 0xff) << (8 * (rel + i - reg));
	}
	return v;
}

void pci_sriov__cfg_write(struct pci_func *pf, unsigned off, unsigned size, uint32_t old,
			  uint32_t val)
{
	struct pci_sriov *s = pf->sriov;
	unsigned rel;

	if (off < s->cap || off >= s->cap + (unsigned)SRIOV_SIZE)
		return;
	rel = off - s->cap;
	if (overlaps(rel, size, PCI_SRIOV_SYS_PGSIZE, 4)) {
		/* Exactly one supported size: anything else is refused, the old value stays. */
		if (__builtin_popcount(rd(s, PCI_SRIOV_SYS_PGSIZE, 4)) != 1)
			wr(s, PCI_SRIOV_SYS_PGSIZE, 4,
			   field_before(s, rel, size, old, PCI_SRIOV_SYS_PGSIZE, 4));
		update_vf_bar_masks(s);
	}
	if (overlaps(rel, size, PCI_SRIOV_NUM_VF, 2))
		update_layout(s);
	if (overlaps(rel, size, PCI_SRIOV_CTRL, 2)) {
		uint32_t was = field_before(s, rel, size, old, PCI_SRIOV_CTRL, 2);
		uint32_t now = rd(s, PCI_SRIOV_CTRL, 2);

		if ((was ^ now) & PCI_SRIOV_CTRL_ARI) {
			update_layout(s);
			for (unsigned i = 0; i < s->npeers; i++)
				update_layout(s->peers[i]);
		}
		if ((was ^ now) & PCI_SRIOV_CTRL_VFE) {
			if (now & PCI_SRIOV_CTRL_VFE)
				enable_vfs(s);
			else
				disable_vfs(s);
			update_masks(s);
		}
	}
}

void pci_sriov__reset(struct pci_func *pf)
{
	struct pci_sriov *s = pf->sriov;

	if (s->enabled)
		disable_vfs(s);
	update_masks(s);
	update_layout(s);
	for (unsigned i = 0; i < s->npeers; i++)
		update_layout(s->peers[i]);
}

int pci_sriov__init(struct pci_func *pf, struct pci_sriov *s, uint16_t off,
		    const struct pci_sriov_cfg *cfg, struct pci_func *vfs)
{
	uint32_t ps = cfg->supported_page_sizes;
	int rc;

	if (!cfg->ops || !cfg->ops->layout || !cfg->total_vfs || cfg->initial_vfs > cfg->total_vfs ||
	    !(ps & 1) || off + SRIOV_SIZE > PCI_CFG_SIZE)
		return -EINVAL;
	rc = pci_cap__link_ext(pf, off, PCI_EXT_CAP_ID_SRIOV, 1);
	if (rc)
		return rc;
	*s = (struct pci_sriov){.cap = off, .total = cfg->total_vfs, .vfs = vfs, .ops = cfg->ops,
				.pf = pf};
	s->leader = s;
	pf->sriov = s;
	wr(s, PCI_SRIOV_INITIAL_VF, 2, cfg->initial_vfs);
	wr(s, PCI_SRIOV_TOTAL_VF, 2, cfg->total_vfs);
	wr(s, PCI_SRIOV_FUNC_LINK, 1, cfg->func_dep_link);
	wr(s, PCI_SRIOV_VF_DID, 2, cfg->vf_device);
	wr(s, PCI_SRIOV_SUP_PGSIZE, 4, ps);
	/* Smallest supported page until software picks one (Linux programs 4 KiB too). */
	wr(s, PCI_SRIOV_SYS_PGSIZE, 4, 1);
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		const struct pci_bar_info *bi = &cfg->vf_bar[b];
		unsigned reg = PCI_SRIOV_BAR + 4 * b;

		if (bi->kind == PCI_BAR_NONE)
			continue;
		if (bi->kind == PCI_BAR_IO || bi->size < 16 || (bi->size & (bi->size - 1)) ||
		    (bi->kind == PCI_BAR_MEM64 && b == PCI_NUM_BARS - 1))
			return -EINVAL;
		s->vf_bar[b] = *bi;
		wr(s, reg, 4,
		   (bi->kind == PCI_BAR_MEM64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0) |
			   (bi->prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0));
		if (bi->kind == PCI_BAR_MEM64)
			b++;
	}
	for (unsigned i = 0; i < cfg->total_vfs; i++) {
		vfs[i].present = false;
		vfs[i].pf = pf;
		vfs[i].vf_index = i;
	}
	update_masks(s);
	update_layout(s);
	return 0;
}

int pci_sriov__follow(struct pci_sriov *follower, struct pci_sriov *leader)
{
	if (!is_leader(leader) || follower == leader || leader->npeers == PCI_SRIOV_MAX_PEERS)
		return -EINVAL;
	leader->peers[leader->npeers++] = follower;
	follower->leader = leader;
	update_masks(follower);
	update_layout(follower);
	return 0;
}

unsigned pci_sriov__num_vfs(const struct pci_func *pf)
{
	return pf->sriov ? rd(pf->sriov, PCI_SRIOV_NUM_VF, 2) : 0;
}

bool pci_sriov__vf_mse(const struct pci_func *pf)
{
	return pf->sriov && (rd(pf->sriov, PCI_SRIOV_CTRL, 2) & PCI_SRIOV_CTRL_MSE);
}

uint16_t pci_sriov__offset(const struct pci_func *pf)
{
	return pf->sriov ? (uint16_t)rd(pf->sriov, PCI_SRIOV_VF_OFFSET, 2) : 0;
}

uint16_t pci_sriov__stride(const struct pci_func *pf)
{
	return pf->sriov ? (uint16_t)rd(pf->sriov, PCI_SRIOV_VF_STRIDE, 2) : 0;
}

uint64_t pci_sriov__vf_bar_addr(const struct pci_func *pf, unsigned index, unsigned bar)
{
	const struct pci_sriov *s = pf->sriov;
	uint64_t base;

	if (!s || bar >= PCI_NUM_BARS || index >= s->total || s->vf_bar[bar].kind == PCI_BAR_NONE)
		return 0;
	base = rd(s, PCI_SRIOV_BAR + 4 * bar, 4) & PCI_BASE_ADDRESS_MEM_MASK;
	if (s->vf_bar[bar].kind == PCI_BAR_MEM64)
		base |= (uint64_t)rd(s, PCI_SRIOV_BAR + 4 * bar + 4, 4) << 32;
	if (!base)
		return 0;
	return base + index * pci_sriov__vf_bar_size(pf, bar);
}

struct pci_func *pci_sriov__vf_by_rid(const struct pci_func *pf, uint16_t rid)
{
	const struct pci_sriov *s = pf->sriov;
	uint32_t offset, stride, rel;

	if (!s || !s->enabled)
		return NULL;
	offset = rd(s, PCI_SRIOV_VF_OFFSET, 2);
	stride = rd(s, PCI_SRIOV_VF_STRIDE, 2);
	if (rid < pf->rid + offset)
		return NULL;
	rel = rid - pf->rid - offset;
	if (stride ? rel % stride || rel / stride >= s->enabled : rel != 0)
		return NULL;
	return &s->vfs[stride ? rel / stride : 0];
}
