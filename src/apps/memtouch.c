/*
 * memtouch: writes the guest's memory and checks it, for live migration. It owns a buffer of
 * mib= MiB of RAM; every 10 ms it rewrites pages= pages (a pattern of the page's number and its
 * generation, kept in its state) and checks as many others against what it last wrote there.
 * A page that does not read back what was written is an error: across a migration, a page the
 * machine failed to copy shows up here. Needs no netdev (dev=none).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "vfnet/app.h"
#include "vfnet/dma.h"
#include "vfnet/os.h"

#include "apps.h"
#include "opts.h"

#define MT_PAGE	   4096u
#define MT_TICK_NS 10000000ull

struct memtouch {
	uint8_t *buf;
	uint64_t bus, npages, per_tick;
	uint32_t *gen; /* generation last written into each page */
	uint64_t wcur, vcur;
	uint64_t ticks, written, verified, errors;
	struct os_timer *timer;
};

static uint64_t word(uint64_t page, uint32_t gen, unsigned i)
{
	return (page << 40) ^ ((uint64_t)gen << 12) ^ i ^ 0x5a5a000000000000ull;
}

static void fill(struct memtouch *mt, uint64_t p)
{
	uint64_t *w = (uint64_t *)(mt->buf + p * MT_PAGE);

	mt->gen[p]++;
	for (unsigned i = 0; i < MT_PAGE / 8; i++)
		w[i] = word(p, mt->gen[p], i);
	mt->written++;
}

static void check(struct memtouch *mt, uint64_t p)
{
	const uint64_t *w = (const uint64_t *)(mt->buf + p * MT_PAGE);

	for (unsigned i = 0; i < MT_PAGE / 8; i++) {
		if (w[i] != word(p, mt->gen[p], i)) {
			if (mt->errors++ < 8)
				os__log("memtouch",
					"page %llu of its buffer reads wrong at word %u",
					(unsigned long long)p, i);
			return;
		}
	}
	mt->verified++;
}

static void mt_tick(void *opaque)
{
	struct memtouch *mt = opaque;

	mt->ticks++;
	for (uint64_t k = 0; k < mt->per_tick; k++) {
		fill(mt, mt->wcur);
		mt->wcur = (mt->wcur + 1) % mt->npages;
	}
	for (uint64_t k = 0; k < mt->per_tick; k++) {
		check(mt, mt->vcur);
		mt->vcur = (mt->vcur + 1) % mt->npages;
	}
	os__timer_arm(mt->timer, MT_TICK_NS);
}

static int mt_parse(uint64_t *mib, uint64_t *pages, int argc, char **argv, char *err)
{
	const struct opt table[] = {
	    {.key = "mib", .type = OPT_UINT, .val = mib, .min = 1, .max = 1024},
	    {.key = "pages", .type = OPT_UINT, .val = pages, .min = 1, .max = 65536},
	    {.key = NULL},
	};

	return opts__parse("memtouch", table, argc, argv, err);
}

static int mt_check(int argc, char **argv, char *err)
{
	uint64_t mib = 4, pages = 16;

	return mt_parse(&mib, &pages, argc, argv, err);
}

static int mt_start(struct app *a, int argc, char **argv, char *err)
{
	uint64_t mib = 4, pages = 16;
	struct memtouch *mt;
	int rc;

	if ((rc = mt_parse(&mib, &pages, argc, argv, err)))
		return rc;
	if (!(mt = calloc(1, sizeof(*mt))))
		return -ENOMEM;
	mt->npages = mib * (1u << 20) / MT_PAGE;
	mt->per_tick = pages < mt->npages ? pages : mt->npages;
	mt->gen = calloc(mt->npages, sizeof(*mt->gen));
	mt->buf = dma__alloc(mib << 20, &mt->bus);
	mt->timer = os__timer_create(mt_tick, mt);
	if (!mt->gen || !mt->buf || !mt->timer) {
		snprintf(err, APP_ERR_MAX, "memtouch: no room for %llu MiB",
			 (unsigned long long)mib);
		if (mt->buf)
			dma__free(mt->buf, mib << 20);
		os__timer_destroy(mt->timer);
		free(mt->gen);
		free(mt);
		return -ENOMEM;
	}
	/* Every page holds its pattern before the first check. */
	for (uint64_t p = 0; p < mt->npages; p++)
		fill(mt, p);
	a->priv = mt;
	os__timer_arm(mt->timer, MT_TICK_NS);
	return 0;
}

static void mt_stop(struct app *a)
{
	struct memtouch *mt = a->priv;

	os__timer_destroy(mt->timer);
	dma__free(mt->buf, mt->npages * MT_PAGE);
	free(mt->gen);
	free(mt);
}

static void mt_stats(struct app *a, void *obj)
{
	struct memtouch *mt = a->priv;

	json_object_object_add(obj, "ticks", json_object_new_int64((int64_t)mt->ticks));
	json_object_object_add(obj, "written", json_object_new_int64((int64_t)mt->written));
	json_object_object_add(obj, "verified", json_object_new_int64((int64_t)mt->verified));
	json_object_object_add(obj, "errors", json_object_new_int64((int64_t)mt->errors));
}

const struct app_type app_memtouch = {
    .name = "memtouch",
    .start = mt_start,
    .check = mt_check,
    .stop = mt_stop,
    .stats = mt_stats,
};
