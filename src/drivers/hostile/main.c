/*
 * Probe, remove and the "hostile" service. One device at a time: the attacks are about what one
 * guest can do to the others, not about driving several functions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hostile.h"

static struct hostile *dev OS_SAVED; /* the bound device, if any */
static bool service_added OS_SAVED;

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

/* {"op":"hostile","attack":NAME,"ms":N[,"count":N][,"vid0":N]} */
static int svc_hostile(void *opaque, void *req_, void *reply, char *err)
{
	struct json_object *req = req_, *v;
	struct hostile_result r;
	const char *name;
	uint64_t ms = 1000;
	int rc;

	if (!dev) {
		snprintf(err, 160, "no device bound to %s", HOSTILE_NAME);
		return -ENODEV;
	}
	if (!json_object_object_get_ex(req, "attack", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(err, 160, "\"attack\" is one of: %s", hostile_attack_names());
		return -EINVAL;
	}
	name = json_object_get_string(v);
	if (json_object_object_get_ex(req, "ms", &v)) {
		int64_t n = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || n < 0 || n > 60000) {
			snprintf(err, 160, "\"ms\" is 0..60000");
			return -EINVAL;
		}
		ms = (uint64_t)n;
	}
	os__log(HOSTILE_NAME, "%s: attack %s for %llu ms", dev->pdev->slot, name,
		(unsigned long long)ms);
	rc = hostile_attack(dev, name, ms, req, &r);
	if (rc == -EINVAL && strstr(hostile_attack_names(), name) == NULL) {
		snprintf(err, 160, "unknown attack '%.40s': one of %s", name,
			 hostile_attack_names());
		return rc;
	}
	os__log(HOSTILE_NAME,
		"%s: attack %s done: %llu ops, %llu ACK, %llu NACK, %llu timeouts, "
		"%llu errors (%d)",
		dev->pdev->slot, name, (unsigned long long)r.ops, (unsigned long long)r.acked,
		(unsigned long long)r.nacked, (unsigned long long)r.timeouts,
		(unsigned long long)r.errors, rc);
	add_u64(reply, "ops", r.ops);
	add_u64(reply, "acked", r.acked);
	add_u64(reply, "nacked", r.nacked);
	add_u64(reply, "timeouts", r.timeouts);
	add_u64(reply, "errors", r.errors);
	add_u64(reply, "ns", r.ns);
	json_object_object_add(reply, "result", json_object_new_int(rc));
	return 0;
}

static int hostile_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct hostile *h;

	if (dev)
		return -EBUSY;
	if (!(h = calloc(1, sizeof(*h))))
		return -ENOMEM;
	h->pdev = pdev;
	if (!(h->hw = pci__iomap(pdev, 0))) {
		int err = errno ? -errno : -ENOMEM;

		free(h);
		return err;
	}
	pci__set_master(pdev, true);
	if (!service_added) {
		os__service(HOSTILE_NAME, svc_hostile, NULL);
		service_added = true;
	}
	pdev->drvdata = h;
	dev = h;
	os__log(HOSTILE_NAME, "%s: bound; this driver attacks the machine on request", pdev->slot);
	return 0;
}

static void hostile_remove(struct pci_dev *pdev)
{
	struct hostile *h = pdev->drvdata;

	if (!h)
		return;
	if (h->hw)
		pci__iounmap(h->hw);
	if (dev == h)
		dev = NULL;
	pdev->drvdata = NULL;
	free(h);
}

static const struct pci_device_id hostile_ids[] = {
    {0, 0}, /* none: bound only when chosen by name */
};

struct pci_driver hostile_driver = {
    .name = HOSTILE_NAME,
    .id_table = hostile_ids,
    .probe = hostile_probe,
    .remove = hostile_remove,
};
