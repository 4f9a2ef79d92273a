/*
 * The control protocol without a socket: control__handle on a running machine. Good requests
 * get replies backed by the machine's state; every kind of bad request gets one error line and
 * changes nothing.
 */
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hw/iommu/vtd.h"
#include "hw/machine.h"
#include "lib/compiler.h"
#include "vmm/control.h"

static struct machine *m;
static struct control *ctl;

static int setup(void **state)
{
	if (machine__create(&m, NULL) || machine__start(m) || control__create(&ctl, m))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	control__destroy(ctl);
	machine__destroy(m);
	return 0;
}

/* One request; the reply must be one line of JSON with "ok", whatever the request was. */
static struct json_object *call_n(const char *req, size_t len, bool want_ok)
{
	char *s = control__handle(ctl, req, len);
	struct json_object *r, *ok, *err;

	assert_non_null(s);
	assert_null(strchr(s, '\n'));
	r = json_tokener_parse(s);
	free(s);
	assert_non_null(r);
	assert_true(json_object_object_get_ex(r, "ok", &ok));
	assert_int_equal(json_object_get_boolean(ok), want_ok);
	if (!want_ok) {
		assert_true(json_object_object_get_ex(r, "error", &err));
		assert_true(json_object_get_string_len(err) > 0);
		assert_null(strchr(json_object_get_string(err), '\n'));
	}
	return r;
}

static struct json_object *call(const char *req, bool want_ok)
{
	return call_n(req, strlen(req), want_ok);
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, key, &v));
	return v;
}

static const char *error_of(struct json_object *r)
{
	return json_object_get_string(get(r, "error"));
}

static void test_lspci(void **state)
{
	struct json_object *r = call("{\"op\": \"lspci\"}", true), *fns = get(r, "functions"), *pf;

	assert_int_equal(json_object_array_length(fns), 4);
	pf = json_object_array_get_idx(fns, 2);
	assert_string_equal(json_object_get_string(get(pf, "bdf")), "01:00.0");
	assert_string_equal(json_object_get_string(get(pf, "class")), "0200");
	assert_string_equal(json_object_get_string(get(pf, "vendor")), "8086");
	assert_string_equal(json_object_get_string(get(pf, "device")), "10c9");
	assert_string_equal(json_object_get_string(get(pf, "revision")), "01");
	assert_string_equal(json_object_get_string(get(pf, "class_name")), "Ethernet controller");
	assert_false(json_object_object_get_ex(pf, "config", NULL));
	json_object_put(r);

	r = call("{\"op\": \"lspci\", \"config\": 4096}", true);
	fns = get(r, "functions");
	pf = json_object_array_get_idx(fns, 2);
	/* Config space as config cycles read it: 86 80 c9 10 ... */
	assert_int_equal(strlen(json_object_get_string(get(pf, "config"))), 2 * 4096);
	assert_memory_equal(json_object_get_string(get(pf, "config")), "8680c910", 8);
	json_object_put(r);

	r = call("{\"op\": \"lspci\", \"config\": 64}", true);
	pf = json_object_array_get_idx(get(r, "functions"), 0);
	assert_int_equal(strlen(json_object_get_string(get(pf, "config"))), 2 * 64);
	json_object_put(r);
}

static void test_lspci_vf(void **state)
{
	struct pci_func *pf = machine__pf(m, 0);
	struct json_object *r, *vf;
	unsigned cap = pf->sriov->cap;

	/* Enable one VF as a PF driver would; the VF is named by its PF's ids (8086:10ca). */
	assert_int_equal(machine__cfg_write(m, pf->rid, cap + PCI_SRIOV_NUM_VF, 2, 1), 0);
	assert_int_equal(machine__cfg_write(m, pf->rid, cap + PCI_SRIOV_CTRL, 2,
					    PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE), 0);
	r = call("{\"op\": \"lspci\", \"config\": 256}", true);
	assert_int_equal(json_object_array_length(get(r, "functions")), 5);
	vf = json_object_array_get_idx(get(r, "functions"), 4);
	assert_string_equal(json_object_get_string(get(vf, "vendor")), "8086");
	assert_string_equal(json_object_get_string(get(vf, "device")), "10ca");
	/* ...while its own ID registers read all ones. */
	assert_memory_equal(json_object_get_string(get(vf, "config")), "ffffffff", 8);
	json_object_put(r);
	assert_int_equal(machine__cfg_write(m, pf->rid, cap + PCI_SRIOV_CTRL, 2, 0), 0);
}

static void test_stats(void **state)
{
	struct json_object *r = call("{\"op\":\"stats\"}", true), *ports = get(r, "ports"), *p;

	assert_int_equal(json_object_array_length(ports), E82576_PORTS);
	for (unsigned i = 0; i < E82576_PORTS; i++) {
		p = json_object_array_get_idx(ports, i);
		assert_int_equal(json_object_get_int(get(p, "port")), i);
		get(get(p, "nic"), "mmio_refused");
		get(get(p, "datapath"), "tx_frames");
		assert_int_equal(json_object_object_length(get(get(p, "datapath"), "drops")),
				 E82576_DROP_NR);
		for (unsigned d = 0; d < E82576_DROP_NR; d++)
			get(get(get(p, "datapath"), "drops"), e82576_drop__name(d));
		/* The engine thread has run: it has used some CPU time. */
		assert_true(json_object_get_uint64(get(get(p, "engine"), "cpu_ns")) > 0);
	}
	get(get(r, "iommu"), "translations");
	get(get(r, "iommu"), "faults");
	json_object_put(r);
}

/* A compatibility-format MSI while interrupt remapping blocks them: one recorded fault. */
static void make_fault(void)
{
	struct ir_target t;

	iommu__enable_ir(m->iommu, true, false);
	assert_int_equal(iommu__remap_msi(m->iommu, 0x0100, 0xfee00000, 0x30, &t), -EFAULT);
	iommu__enable_ir(m->iommu, false, false);
}

static void test_iommu_faults(void **state)
{
	struct json_object *r, *f;

	r = call("{\"op\":\"iommu-faults\"}", true);
	assert_int_equal(json_object_array_length(get(r, "faults")), 0);
	assert_false(json_object_get_boolean(get(r, "overflow")));
	json_object_put(r);

	make_fault();
	/* A bad request does not pop the log. */
	json_object_put(call("{\"op\":\"iommu-faults\",\"all\":true}", false));
	r = call("{\"op\":\"iommu-faults\"}", true);
	assert_int_equal(json_object_array_length(get(r, "faults")), 1);
	f = json_object_array_get_idx(get(r, "faults"), 0);
	assert_string_equal(json_object_get_string(get(f, "bdf")), "01:00.0");
	assert_string_equal(json_object_get_string(get(f, "kind")), "interrupt");
	assert_string_equal(json_object_get_string(get(f, "access")), "write");
	assert_int_equal(json_object_get_int(get(f, "reason")), VTD_FR_IR_COMPAT);
	assert_string_equal(json_object_get_string(get(f, "reason_text")),
			    iommu__fault_reason_str(VTD_FR_IR_COMPAT));
	json_object_put(r);

	/* Popped: gone. */
	r = call("{\"op\":\"iommu-faults\"}", true);
	assert_int_equal(json_object_array_length(get(r, "faults")), 0);
	json_object_put(r);
}

static void test_bad_requests(void **state)
{
	static const char *const bad[] = {
		"",
		"   ",
		"not json",
		"{",
		"{\"op\": \"stats\"",
		"{\"op\": \"stats\"} {\"op\": \"stats\"}",
		"{\"op\": \"stats\"} x",
		"{'op': 'stats'}",                   /* strict JSON only */
		"{\"op\": \"stats\", /* c */ }",
		"[\"stats\"]",
		"\"stats\"",
		"42",
		"null",
		"{}",
		"{\"op\": null}",
		"{\"op\": 1}",
		"{\"op\": [\"stats\"]}",
		"{\"op\": {\"name\": \"stats\"}}",
		"{\"op\": \"\"}",
		"{\"op\": \"STATS\"}",
		"{\"op\": \"reboot\"}",
		"{\"op\": \"stats\", \"port\": 0}",
		"{\"op\": \"shutdown\", \"now\": true}",
		"{\"op\": \"lspci\", \"config\": \"64\"}",
		"{\"op\": \"lspci\", \"config\": 64.0}",
		"{\"op\": \"lspci\", \"config\": 65}",
		"{\"op\": \"lspci\", \"config\": -64}",
		"{\"op\": \"lspci\", \"config\": 99999999999999999999}",
		"{\"op\": \"lspci\", \"config\": true}",
		"{\"op\": \"lspci\", \"config\": null}",
		"{\"op\": \"lspci\", \"config\": [64]}",
		"{\"op\": \"stats\\u0000\"}",
		"{\"op\": \"stats\", \"\\n\": 1}",
		"{\"op\": \"\xff\xfe\"}",           /* not UTF-8 */
		"{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":1}}}}}}}}, \"op\": \"stats\"}",
	};

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		struct json_object *r = call(bad[i], false);

		print_message("# %-40.40s -> %s\n", bad[i], error_of(r));
		json_object_put(r);
	}
	/* A NUL byte inside the request. */
	json_object_put(call_n("{\"op\":\"stats\"}\0", 15, false));
	/* Nothing changed: no shutdown request was taken. */
	assert_false(control__stopping(ctl));
}

static void test_messages(void **state)
{
	struct json_object *r = call("{\"op\": \"reboot\"}", false);

	assert_non_null(strstr(error_of(r), "unknown op \"reboot\""));
	json_object_put(r);
	/* A name that could break the one-line error is not echoed. */
	r = call("{\"op\": \"a\\nb\"}", false);
	assert_null(strchr(error_of(r), '\n'));
	json_object_put(r);
	r = call("{\"op\": \"lspci\", \"cfg\": 64}", false);
	assert_string_equal(error_of(r), "op lspci takes no key \"cfg\"");
	json_object_put(r);
}

static void test_size_limit(void **state)
{
	char *req = malloc(CONTROL_MAX_REQUEST + 2);
	const char *stats = "{\"op\":\"stats\"}";
	struct json_object *r;

	/* Padding is whitespace: exactly at the limit is served, one byte more is refused. */
	memset(req, ' ', CONTROL_MAX_REQUEST + 1);
	memcpy(req, stats, strlen(stats));
	json_object_put(call_n(req, CONTROL_MAX_REQUEST, true));
	r = call_n(req, CONTROL_MAX_REQUEST + 1, false);
	assert_non_null(strstr(error_of(r), "longer than 32768 bytes"));
	json_object_put(r);
	free(req);
}

static void test_shutdown(void **state)
{
	assert_false(control__stopping(ctl));
	json_object_put(call("{\"op\": \"shutdown\"}", true));
	assert_true(control__stopping(ctl));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lspci),     cmocka_unit_test(test_lspci_vf),
		cmocka_unit_test(test_stats),     cmocka_unit_test(test_iommu_faults),
		cmocka_unit_test(test_bad_requests), cmocka_unit_test(test_messages),
		cmocka_unit_test(test_size_limit), cmocka_unit_test(test_shutdown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
