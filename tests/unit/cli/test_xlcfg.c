/*
 * xl.cfg domain configuration files: the Xen example from the reference, the grammar, every
 * schema rule with its exact FILE:LINE:COL message, PCI and vif spec strings, command-line
 * overrides, the mandatory keys and reading files.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/xlcfg.h"
#include "lib/compiler.h"

static char err[512];

static int parse(struct xlcfg *cfg, const char *text)
{
	err[0] = '\0';
	return xlcfg__parse(cfg, "guest.cfg", text, strlen(text), err, sizeof(err));
}

/* @text must fail with -EINVAL and exactly @msg. */
static void expect_error(const char *text, const char *msg)
{
	struct xlcfg cfg;
	int ret = parse(&cfg, text);

	xlcfg__free(&cfg);
	if (ret != -EINVAL || strcmp(err, msg))
		print_message("input: %s\n", text);
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(err, msg);
}

/* A config of just `KEY = [ 'SPEC' ]` must fail with "guest.cfg:1:COL: KEY entry 'SPEC': MSG". */
static void expect_spec_error(const char *key, const char *spec, const char *msg)
{
	char text[256], full[512];

	snprintf(text, sizeof(text), "%s = [ '%s' ]", key, spec);
	snprintf(full, sizeof(full), "guest.cfg:1:%zu: %s entry '%s': %s", strlen(key) + 6, key,
		 spec, msg);
	expect_error(text, full);
}

/* `pci = [ 'SPEC' ]` must fail at the column of byte @off of SPEC with "pci entry 'SPEC': MSG". */
static void expect_pci_error(const char *spec, size_t off, const char *msg)
{
	char text[256], full[512];

	snprintf(text, sizeof(text), "pci = [ '%s' ]", spec);
	snprintf(full, sizeof(full), "guest.cfg:1:%zu: pci entry '%s': %s", 10 + off, spec, msg);
	expect_error(text, full);
}

static void expect_override_error(struct xlcfg *cfg, const char *arg, const char *msg)
{
	int ret = xlcfg__override(cfg, arg, err, sizeof(err));

	if (ret != -EINVAL || strcmp(err, msg))
		print_message("argument: %s\n", arg);
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(err, msg);
}

/* ---- The reference's example (iproute2-vf.md section 6) ------------------------------------- */

static const char xen_example[] = "name   = \"vm1\"\n"
				  "type   = \"hvm\"\n"
				  "memory = 1024\n"
				  "vcpus  = %d\n"
				  "pci    = [ '05:10.0' ]\n"
				  "vif    = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]\n";

static void test_xen_example(void **state)
{
	static const uint8_t mac[6] = {0x00, 0x16, 0x3e, 0x00, 0x00, 0x01};
	struct xlcfg cfg;
	char text[512];

	/* verbatim it asks for two vCPUs and an HVM guest: accepted, each with a warning */
	snprintf(text, sizeof(text), xen_example, 2);
	assert_int_equal(parse(&cfg, text), 0);
	assert_int_equal(cfg.nr_warn, 2);
	assert_string_equal(cfg.warn[0], "guest.cfg:2: warning: type ignored: a vfnet guest is a "
					 "process, neither PV nor HVM");
	assert_string_equal(cfg.warn[1],
			    "guest.cfg:4: warning: vcpus = 2 ignored: vfnet domains have one vCPU");
	assert_int_equal(cfg.vcpus, 1);
	xlcfg__free(&cfg);

	snprintf(text, sizeof(text), xen_example, 1);
	assert_int_equal(parse(&cfg, text), 0);
	assert_int_equal(cfg.nr_warn, 1); /* type */
	assert_int_equal(xlcfg__finish(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "vm1");
	assert_int_equal(cfg.memory_mib, 1024);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.nr_pci, 1);
	assert_int_equal(cfg.pci[0].bdf, 0x05 << 8 | 0x10 << 3 | 0);
	assert_int_equal(cfg.pci[0].vslot, -1);
	assert_false(cfg.pci[0].permissive || cfg.pci[0].seize || cfg.pci[0].msitranslate ||
		     cfg.pci[0].power_mgmt);
	assert_int_equal(cfg.nr_vif, 1);
	assert_true(cfg.vif[0].has_mac);
	assert_memory_equal(cfg.vif[0].mac, mac, 6);
	assert_string_equal(cfg.vif[0].bridge, "xenbr0");
	assert_string_equal(cfg.vif[0].vifname, "");
	assert_int_equal(cfg.vif[0].mtu, 0);
	assert_int_equal(cfg.vif[0].devid, -1);
	assert_int_equal(cfg.nr_app, 0);
	assert_false(cfg.has_ip);
	xlcfg__free(&cfg);
}

/* ---- Grammar -------------------------------------------------------------------------------- */

static void test_defaults(void **state)
{
	struct xlcfg cfg;

	assert_int_equal(parse(&cfg, "name='a'"), 0); /* no newline at the end */
	assert_string_equal(cfg.name, "a");
	assert_int_equal(cfg.memory_mib, 64);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.on_crash, XLCFG_CRASH_DESTROY);
	assert_int_equal(cfg.nr_warn, 0);
	assert_int_equal(cfg.nr_pci + cfg.nr_vif + cfg.nr_app, 0);
	assert_false(cfg.has_ip || cfg.pci_permissive || cfg.pci_seize);
	xlcfg__free(&cfg);
	xlcfg__free(&cfg); /* twice is harmless */

	assert_int_equal(parse(&cfg, ""), 0);
	assert_int_equal(xlcfg__finish(&cfg, err, sizeof(err)), -EINVAL);
	xlcfg__free(&cfg);
}

static void test_syntax(void **state)
{
	static const char text[] =
	    "# a vfnet guest\r\n"
	    "\n"
	    "name = 'vm-1.a_B';  # comment after a terminator\r\n"
	    "memory=0x80 ; vcpus = 1;\n"
	    "  ;;\n"
	    "\ttype\t=\t\"pvh\"\t# tabs\n"
	    "app = [\n"
	    "    'pktgen dst=02:00:00:00:00:02 size=64 rate=1M', # the sender\n"
	    "    # a comment between items\n"
	    "    \"it\\'s \\\"q\\\" \\\\ #x\", 'sink'\n"
	    "]\n"
	    "pci = []\n"
	    "vif = [ '' ,'mtu=9000' ]\n"
	    "ip = '10.0.0.2/24'\n";
	struct xlcfg cfg;

	assert_int_equal(parse(&cfg, text), 0);
	assert_string_equal(cfg.name, "vm-1.a_B");
	assert_int_equal(cfg.memory_mib, 128);
	assert_int_equal(cfg.nr_warn, 1);
	assert_string_equal(cfg.warn[0], "guest.cfg:6: warning: type ignored: a vfnet guest is a "
					 "process, neither PV nor HVM");
	assert_int_equal(cfg.nr_app, 3);
	assert_string_equal(cfg.app[0], "pktgen dst=02:00:00:00:00:02 size=64 rate=1M");
	assert_string_equal(cfg.app[1], "it's \"q\" \\ #x");
	assert_string_equal(cfg.app[2], "sink");
	assert_int_equal(cfg.nr_pci, 0);
	assert_int_equal(cfg.nr_vif, 2);
	assert_false(cfg.vif[0].has_mac);
	assert_int_equal(cfg.vif[0].mtu, 0);
	assert_int_equal(cfg.vif[1].mtu, 9000);
	assert_true(cfg.has_ip);
	assert_string_equal(cfg.ip, "10.0.0.2/24");
	assert_int_equal(cfg.ip_prefix, 24);
	assert_int_equal(cfg.ip_addr[0], 10);
	assert_int_equal(cfg.ip_addr[3], 2);
	xlcfg__free(&cfg);
}

static void test_syntax_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"name = 'a'\n# memory\nmemory  64\n",
		 "guest.cfg:3:9: expected '=' after key 'memory'"},
		{"memory", "guest.cfg:1:7: expected '=' after key 'memory'"},
		{"memory =\n64\n",
		 "guest.cfg:1:9: expected a value after '=': a 'string', a number or a [ list ]"},
		{"memory = ;",
		 "guest.cfg:1:10: expected a value after '=': a 'string', a number or a [ list ]"},
		{"memory = -1",
		 "guest.cfg:1:10: expected a value after '=': a 'string', a number or a [ list ]"},
		{"memory = 64 vcpus = 1",
		 "guest.cfg:1:13: expected ';' or a new line after the value of 'memory'"},
		{"name = vm1", "guest.cfg:1:8: expected a value: strings are quoted, as in 'vm1'"},
		{"1name = 'a'",
		 "guest.cfg:1:1: expected a key (A-Z a-z 0-9 _, not starting with a digit)"},
		{"name = 'a'\n  = 'b'",
		 "guest.cfg:2:3: expected a key (A-Z a-z 0-9 _, not starting with a digit)"},
		{"name = 'abc\n'", "guest.cfg:1:8: string is not closed on its line"},
		{"name = \"abc'", "guest.cfg:1:8: string is not closed on its line"},
		{"name = 'abc\\", "guest.cfg:1:8: string is not closed on its line"},
		{"name = 'a\\tb'",
		 "guest.cfg:1:10: unknown escape '\\t' (there are \\\\ \\\" \\' \\n)"},
		{"memory = 12ab", "guest.cfg:1:10: '12ab' is not a number (decimal, or hex with 0x)"},
		{"memory = 0x", "guest.cfg:1:10: '0x' is not a number (decimal, or hex with 0x)"},
		{"memory = 0x1g", "guest.cfg:1:10: '0x1g' is not a number (decimal, or hex with 0x)"},
		{"memory = 4294967296", "guest.cfg:1:10: number 4294967296 is too large"},
		{"memory = 0x100000000", "guest.cfg:1:10: number 0x100000000 is too large"},
		{"pci = [ '01:10.0',\n  '01:10.2'\n",
		 "guest.cfg:3:1: list opened at 1:7 is not closed"},
		{"pci = [", "guest.cfg:1:8: list opened at 1:7 is not closed"},
		{"pci = [ 1 ]", "guest.cfg:1:9: expected a quoted string or ']' in the list"},
		{"pci = [ [ '01:10.0' ] ]",
		 "guest.cfg:1:9: expected a quoted string or ']' in the list"},
		{"pci = [ , ]", "guest.cfg:1:9: expected a quoted string or ']' in the list"},
		{"pci = [ '01:10.0' '01:10.2' ]", "guest.cfg:1:19: expected ',' or ']' in the list"},
		{"name = 'a' # ok\nmemory = 64\x1b", "guest.cfg:2:12: control character 0x1b"},
		{"name = 'a\x7f'", "guest.cfg:1:10: control character 0x7f"},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		expect_error(cases[i].text, cases[i].msg);
}

static void test_limits(void **state)
{
	static char text[XLCFG_FILE_MAX + 2];
	size_t big = XLCFG_FILE_MAX + 1;
	struct xlcfg cfg;
	int n;

	/* NUL bytes, which a C string cannot show */
	assert_int_equal(xlcfg__parse(&cfg, "guest.cfg", "name = 'a\0b'", 12, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "guest.cfg:1:10: NUL byte");
	xlcfg__free(&cfg);

	/* a line of exactly XLCFG_LINE_MAX bytes is fine, one more is not */
	n = sprintf(text, "name = 'a' #");
	memset(text + n, 'x', XLCFG_LINE_MAX - (size_t)n);
	strcpy(text + XLCFG_LINE_MAX, "\nmemory = 1\n");
	assert_int_equal(parse(&cfg, text), 0);
	xlcfg__free(&cfg);
	text[XLCFG_LINE_MAX] = 'x';
	expect_error(text, "guest.cfg:1:4097: line is longer than 4096 bytes");

	/* the file size: a file of only comments and newlines, one byte too many */
	memset(text, '\n', big);
	text[big] = '\0';
	assert_int_equal(parse(&cfg, text), -EFBIG);
	assert_string_equal(err, "guest.cfg: larger than 65536 bytes");
	xlcfg__free(&cfg);
	assert_int_equal(xlcfg__parse(&cfg, "guest.cfg", text, big - 1, err, sizeof(err)), 0);
	xlcfg__free(&cfg);

	/* items in one list */
	n = sprintf(text, "app = [");
	for (unsigned int i = 0; i <= XLCFG_LIST_MAX; i++)
		n += sprintf(text + n, "'a',\n");
	strcpy(text + n, "]");
	expect_error(text, "guest.cfg:65:1: list has more than 64 items");
}

/* ---- Schema --------------------------------------------------------------------------------- */

static void test_schema_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"name = 'a'\nmemory = 64\ntype = 'pv'\n\nmemroy = 128\n",
		 "guest.cfg:5:1: key 'memroy' is not an xl.cfg key; did you mean 'memory'?"},
		{"Name = 'a'", "guest.cfg:1:1: key 'Name' is not an xl.cfg key; did you mean 'name'?"},
		{"on_crahs = 'restart'",
		 "guest.cfg:1:1: key 'on_crahs' is not an xl.cfg key; did you mean 'on_crash'?"},
		{"kernal = '/boot/vmlinuz'",
		 "guest.cfg:1:1: key 'kernal' is not an xl.cfg key; did you mean 'kernel'?"},
		{"frobnicate = 1", "guest.cfg:1:1: key 'frobnicate' is not supported by vfnet"},
		{"on_crash = 'reboot'",
		 "guest.cfg:1:12: on_crash 'reboot' is not destroy, restart or preserve"},
		{"on_crash = 1", "guest.cfg:1:12: key 'on_crash' wants a quoted string, not a number"},
		{"maxmem = 64\nmaxmem = 128", "guest.cfg:2:1: key 'maxmem' given twice (first at line 1)"},
		{"disk = [ 'phy:/dev/vg/a,xvda,w' ", "guest.cfg:1:33: list opened at 1:8 is not closed"},
		{"name = 'a'\nmemory = 64\nvcpus = 1\n  memory = 128\n",
		 "guest.cfg:4:3: key 'memory' given twice (first at line 2)"},
		{"pci = []; pci = []", "guest.cfg:1:11: key 'pci' given twice (first at line 1)"},
		{"memory = '64'", "guest.cfg:1:10: key 'memory' wants a number, not a quoted string"},
		{"name = 1", "guest.cfg:1:8: key 'name' wants a quoted string, not a number"},
		{"name = ['a']",
		 "guest.cfg:1:8: key 'name' wants a quoted string, not a [ list ] of strings"},
		{"pci = '01:10.0'",
		 "guest.cfg:1:7: key 'pci' wants a [ list ] of strings, not a quoted string"},
		{"pci_seize = 'yes'",
		 "guest.cfg:1:13: key 'pci_seize' wants 0 or 1, not a quoted string"},
		{"pci_permissive = 2", "guest.cfg:1:18: pci_permissive must be 0 or 1, not 2"},
		{"memory = 0", "guest.cfg:1:10: memory must be 1..4096 MiB, not 0"},
		{"memory = 4097", "guest.cfg:1:10: memory must be 1..4096 MiB, not 4097"},
		{"vcpus = 0", "guest.cfg:1:9: vcpus must be at least 1"},
		{"name = ''", "guest.cfg:1:8: name '' is empty"},
		{"name = 'abcdefghijklmnopqrstuvwxyz012345'",
		 "guest.cfg:1:8: name 'abcdefghijklmnopqrstuvwxyz012345' is longer than 31 bytes"},
		{"name = '-vm'", "guest.cfg:1:8: name '-vm' starts with '-'"},
		{"name = 'vm 1'",
		 "guest.cfg:1:8: name 'vm 1' has a character other than A-Z a-z 0-9 _ . -"},
		{"name = 'vm\\n'",
		 "guest.cfg:1:8: name 'vm?' has a character other than A-Z a-z 0-9 _ . -"},
		{"ip = '10.0.0.2'", "guest.cfg:1:6: ip '10.0.0.2' needs a prefix length, as in "
				"'10.0.0.2/24'"},
		{"ip = '10.0.0.256/24'",
		 "guest.cfg:1:6: ip '10.0.0.256/24' is not an IPv4 address A.B.C.D/PREFIX"},
		{"ip = '10.0.0.2/33'",
		 "guest.cfg:1:6: ip '10.0.0.2/33' is not an IPv4 address A.B.C.D/PREFIX"},
		{"ip = '010.0.0.2/8'",
		 "guest.cfg:1:6: ip '010.0.0.2/8' is not an IPv4 address A.B.C.D/PREFIX"},
		{"ip = '10.0.0/8'",
		 "guest.cfg:1:6: ip '10.0.0/8' is not an IPv4 address A.B.C.D/PREFIX"},
		{"app = [ 'sink', '' ]",
		 "guest.cfg:1:17: app entry '' does not start with an app name"},
		{"app = [ ' sink' ]",
		 "guest.cfg:1:9: app entry ' sink' does not start with an app name"},
		{"app = [ 'sink\\nx' ]", "guest.cfg:1:9: app entry 'sink?x' has a control character"},
		{"app = [ 'a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a' ]",
		 "guest.cfg:1:73: more than 16 apps"},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		expect_error(cases[i].text, cases[i].msg);
}

static void test_app(void **state)
{
	char text[400], long_app[XLCFG_APP_LEN + 2];
	struct xlcfg cfg;

	memset(long_app, 'a', XLCFG_APP_LEN);
	long_app[XLCFG_APP_LEN] = '\0';
	snprintf(text, sizeof(text), "app = [ '%s' ]", long_app);
	assert_int_equal(parse(&cfg, text), 0);
	assert_int_equal(cfg.nr_app, 1);
	assert_int_equal(strlen(cfg.app[0]), XLCFG_APP_LEN);
	xlcfg__free(&cfg);

	strcat(long_app, "a");
	snprintf(text, sizeof(text), "app = [ '%s' ]", long_app);
	expect_error(text, "guest.cfg:1:9: app entry is longer than 256 bytes");
}

static void test_pci(void **state)
{
	static const struct {
		const char *spec;
		uint16_t bdf;
		int vslot;
		unsigned int given;
		bool permissive, seize, msitranslate, power_mgmt;
	} good[] = {
		{"05:10.0", 0x0580, -1, 0, false, false, false, false},
		{"0000:05:10.2@0x3", 0x0582, 3, 0, false, false, false, false},
		{"0:ff:1f.7@1f", 0xffff, 0x1f, 0, false, false, false, false},
		{"05:10.0,vslot=04,permissive=1,seize=0", 0x0580, 4,
		 XLCFG_PCI_PERMISSIVE | XLCFG_PCI_SEIZE, true, false, false, false},
		{"bdf=05:10.4,msitranslate=1,power_mgmt=1,vslot=0x1f", 0x0584, 0x1f,
		 XLCFG_PCI_MSITRANSLATE | XLCFG_PCI_POWER_MGMT, false, false, true, true},
		{"05:10.0,vslot=,seize=", 0x0580, -1, 0, false, false, false, false},
	};
	struct xlcfg_pci pci;
	char msg[128];

	assert_int_equal(xlcfg_pci__parse(&pci, "05:10.0,driver=hostile", msg, sizeof(msg)), 0);
	assert_string_equal(pci.driver, "hostile");
	assert_int_equal(xlcfg_pci__parse(&pci, "05:10.0", msg, sizeof(msg)), 0);
	assert_string_equal(pci.driver, "");
	assert_int_equal(xlcfg_pci__parse(&pci, "5:0.0,driver=" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
					  msg, sizeof(msg)),
			 -EINVAL); /* 32 bytes: one too many */
	for (unsigned int i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(xlcfg_pci__parse(&pci, good[i].spec, msg, sizeof(msg)), 0);
		assert_int_equal(pci.bdf, good[i].bdf);
		assert_int_equal(pci.vslot, good[i].vslot);
		assert_int_equal(pci.given, good[i].given);
		assert_int_equal(pci.permissive, good[i].permissive);
		assert_int_equal(pci.seize, good[i].seize);
		assert_int_equal(pci.msitranslate, good[i].msitranslate);
		assert_int_equal(pci.power_mgmt, good[i].power_mgmt);
	}
}

static void test_pci_errors(void **state)
{
	static const struct {
		const char *spec;
		size_t off; /* where in the spec the column points */
		const char *msg;
	} cases[] = {
		{"", 0, "no PCI address given"},
		{"0001:05:10.0", 0, "PCI domain 0001 does not exist: vfnet has domain 0000 only"},
		{"100:00.0", 0, "bus 100 is out of range 00-ff"},
		{"05:20.0", 3, "device 20 is out of range 00-1f"},
		{"05:10.8", 6, "function 8 is out of range 0-7"},
		{"05:10.*", 6, "function '*' (all functions) is not supported by vfnet"},
		{"05:10", 0, "'05:10' is not a PCI address [DDDD:]BB:DD.F"},
		{"05.10.0", 0, "'05.10.0' is not a PCI address [DDDD:]BB:DD.F"},
		{"0:0:05:10.0", 0, "'0:0:05:10.0' is not a PCI address [DDDD:]BB:DD.F"},
		{"05:1g.0", 0, "'05:1g.0' is not a PCI address [DDDD:]BB:DD.F"},
		{"00000:05:10.0", 0, "'00000:05:10.0' is not a PCI address [DDDD:]BB:DD.F"},
		{"05:10.0@0", 8, "vslot 0x0 is out of range 0x01-0x1f"},
		{"05:10.0@20", 8, "vslot 0x20 is out of range 0x01-0x1f"},
		{"05:10.0@", 8, "vslot '' is not a hex number"},
		{"05:10.0,vslot=0xz", 14, "vslot '0xz' is not a hex number"},
		{"05:10.0,rdm_policy=strict", 8, "key 'rdm_policy' is not supported by vfnet"},
		{"05:10.0,name=vf", 8, "key 'name' is not supported by vfnet"},
		{"05:10.0,permissive=1,permissive=0", 21, "'permissive' given twice"},
		{"05:10.0,bdf=05:10.1", 8, "'bdf' given twice"},
		{"05:10.0@3,vslot=4", 10, "'vslot' given twice"},
		{"05:10.0,seize=yes", 14, "seize must be 0 or 1, not 'yes'"},
		{"permissive=1", 0, "no PCI address given: BB:DD.F or bdf=BB:DD.F"},
		{"05:10.0,,seize=1", 8, "empty parameter (two commas, or one at the end)"},
		{"05:10.0,", 8, "empty parameter (two commas, or one at the end)"},
		{"05:10.0,seize", 8, "'seize' is not KEY=VALUE"},
		{"05:10.0,seeze=1", 8, "key 'seeze' is not supported by vfnet; did you mean 'seize'?"},
		{"05:10.0,driver=vdd,driver=mdd", 19, "'driver' given twice"},
		{"05:10.0,driver=v.d", 15, "driver 'v.d' is not a driver's name ([a-z0-9_-], 1..31)"},
		{"05:10.0,driver=Vdd", 15, "driver 'Vdd': names are lower case"},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		expect_pci_error(cases[i].spec, cases[i].off, cases[i].msg);
	/* with an escape in the string its bytes are not its columns: the quote's column */
	expect_error("pci = [ '05:1\\\\0.0' ]",
		     "guest.cfg:1:9: pci entry '05:1\\0.0': '05:1\\0.0' is not a PCI address "
		     "[DDDD:]BB:DD.F");

	expect_error("pci = [ '05:10.0',\n        '5:10.0' ]",
		     "guest.cfg:2:9: pci entry '5:10.0': 05:10.0 is entry 1 too");
	expect_error("pci = [ '05:10.0@3', '05:10.2', '05:10.4,vslot=3' ]",
		     "guest.cfg:1:33: pci entry '05:10.4,vslot=3': vslot 0x3 is entry 1's");
	expect_error("pci = [ '1:0.0', '2:0.0', '3:0.0', '4:0.0', '5:0.0', '6:0.0', '7:0.0', "
		     "'8:0.0', '9:0.0' ]",
		     "guest.cfg:1:81: more than 8 pci devices");
}

/* pci_* keys are defaults for the entries that do not say, wherever they are in the file */
static void test_pci_defaults(void **state)
{
	struct xlcfg cfg;

	assert_int_equal(parse(&cfg, "name = 'g'\n"
				     "pci = [ '01:10.0', '01:10.2,permissive=0,seize=1' ]\n"
				     "pci_permissive = 1\n"
				     "pci_power_mgmt = 1\n"),
			 0);
	assert_int_equal(xlcfg__finish(&cfg, err, sizeof(err)), 0);
	assert_true(cfg.pci[0].permissive && cfg.pci[0].power_mgmt);
	assert_false(cfg.pci[0].seize || cfg.pci[0].msitranslate);
	assert_false(cfg.pci[1].permissive);
	assert_true(cfg.pci[1].seize && cfg.pci[1].power_mgmt);

	/* an override of a default after the fact, then finish again */
	assert_int_equal(xlcfg__override(&cfg, "pci_permissive=0", err, sizeof(err)), 0);
	assert_int_equal(xlcfg__override(&cfg, "pci_msitranslate=1", err, sizeof(err)), 0);
	assert_int_equal(xlcfg__finish(&cfg, err, sizeof(err)), 0);
	assert_false(cfg.pci[0].permissive);
	assert_true(cfg.pci[0].msitranslate && cfg.pci[1].msitranslate);
	xlcfg__free(&cfg);
}

static void test_vif(void **state)
{
	static const uint8_t mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xEE};
	static const char *const rates[] = {"10Mb/s", "100/s", "5GB/s@1s", "1b/s@100us",
					    "250KB/s@50"};
	struct xlcfg_vif vif;
	char msg[128], spec[64];

	assert_int_equal(xlcfg_vif__parse(&vif, "", msg, sizeof(msg)), 0);
	assert_false(vif.has_mac);
	assert_int_equal(vif.devid, -1);
	assert_int_equal(
	    xlcfg_vif__parse(&vif,
			     "mac=02:aa:BB:cc:dd:EE,bridge=br0,vifname=vif1.0-emu,"
			     "ip=10.0.0.2/24,mtu=68,rate=1MB/s@20ms,backend=dom0,"
			     "devid=3,script=/etc/vfnet/vif-bridge,model=e1000,type=ioemu",
			     msg, sizeof(msg)),
	    0);
	assert_true(vif.has_mac);
	assert_memory_equal(vif.mac, mac, 6);
	assert_string_equal(vif.bridge, "br0");
	assert_string_equal(vif.vifname, "vif1.0-emu");
	assert_string_equal(vif.ip, "10.0.0.2/24");
	assert_int_equal(vif.mtu, 68);
	assert_string_equal(vif.rate, "1MB/s@20ms");
	assert_string_equal(vif.backend, "dom0");
	assert_int_equal(vif.devid, 3);
	assert_string_equal(vif.script, "/etc/vfnet/vif-bridge");
	assert_string_equal(vif.model, "e1000");
	assert_string_equal(vif.type, "ioemu");

	for (unsigned int i = 0; i < ARRAY_SIZE(rates); i++) {
		snprintf(spec, sizeof(spec), "rate=%s", rates[i]);
		assert_int_equal(xlcfg_vif__parse(&vif, spec, msg, sizeof(msg)), 0);
		assert_string_equal(vif.rate, rates[i]);
	}
	assert_int_equal(xlcfg_vif__parse(&vif, "mtu=9000,mac=", msg, sizeof(msg)), 0);
	assert_int_equal(vif.mtu, 9000);
	assert_false(vif.has_mac);
}

static void test_vif_errors(void **state)
{
	static const struct {
		const char *spec, *msg;
	} cases[] = {
		{"mac=01:00:5e:00:00:01", "mac 01:00:5e:00:00:01 is a multicast address"},
		{"mac=ff:ff:ff:ff:ff:ff", "mac ff:ff:ff:ff:ff:ff is a multicast address"},
		{"mac=00:00:00:00:00:00", "mac 00:00:00:00:00:00 is not an address"},
		{"mac=00:16:3e:00:00", "mac '00:16:3e:00:00' is not xx:xx:xx:xx:xx:xx"},
		{"mac=00-16-3e-00-00-01", "mac '00-16-3e-00-00-01' is not xx:xx:xx:xx:xx:xx"},
		{"mac=00:16:3e:00:00:0g", "mac '00:16:3e:00:00:0g' is not xx:xx:xx:xx:xx:xx"},
		{"mtu=67", "mtu must be 68..9000, not '67'"},
		{"mtu=9001", "mtu must be 68..9000, not '9001'"},
		{"mtu=1500b", "mtu must be 68..9000, not '1500b'"},
		{"bridge=a-very-long-bridge", "bridge 'a-very-long-bridge' is not an interface name "
					  "(up to 15 of A-Z a-z 0-9 _ . -)"},
		{"vifname=vif 1",
		 "vifname 'vif 1' is not an interface name (up to 15 of A-Z a-z 0-9 _ . -)"},
		{"ip=10.0.0.1/", "ip '10.0.0.1/' is not an IPv4 address A.B.C.D[/PREFIX]"},
		{"rate=10Mb", "rate '10Mb' is not RATE/s[@INTERVAL], like 10Mb/s"},
		{"rate=10Xb/s", "rate '10Xb/s' is not RATE/s[@INTERVAL], like 10Mb/s"},
		{"rate=10M/s", "rate '10M/s' is not RATE/s[@INTERVAL], like 10Mb/s"},
		{"rate=10Mb/s@", "rate '10Mb/s@' is not RATE/s[@INTERVAL], like 10Mb/s"},
		{"rate=10Mb/s@5h", "rate '10Mb/s@5h' is not RATE/s[@INTERVAL], like 10Mb/s"},
		{"backend=-dom0", "backend '-dom0' is not a domain name"},
		{"devid=256", "devid must be 0..255, not '256'"},
		{"script=vif bridge",
		 "script 'vif bridge' is not a path (up to 63 of A-Z a-z 0-9 _ . - /)"},
		{"model=e1000 x", "model 'e1000 x' is not a NIC model name"},
		{"type=netfront", "type must be 'vif' or 'ioemu', not 'netfront'"},
		{"vlan=10", "key 'vlan' is not supported by vfnet"},
		{"bridge", "'bridge' is not KEY=VALUE"},
		{"mtu=1500,mtu=9000", "'mtu' given twice"},
		{"mtu=1500,", "empty parameter (two commas, or one at the end)"},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		expect_spec_error("vif", cases[i].spec, cases[i].msg);

	expect_error("vif = [ 'mac=02:00:00:00:00:01', 'mac=02:00:00:00:00:01' ]",
		     "guest.cfg:1:34: vif entry 'mac=02:00:00:00:00:01': its mac is entry 1's too");
	expect_error("vif = [ 'devid=1', '', 'devid=1' ]",
		     "guest.cfg:1:24: vif entry 'devid=1': devid 1 is entry 1's too");
	expect_error("vif = [ '', '', '', '', '', '', '', '', '' ]",
		     "guest.cfg:1:41: more than 8 vifs");
}

/* ---- Overrides, finish, load ---------------------------------------------------------------- */

static void test_override(void **state)
{
	struct xlcfg cfg;

	assert_int_equal(parse(&cfg, "name = 'g1'\nmemory = 64\npci = [ '01:10.0' ]\n"
				     "app = [ 'sink' ]\n"),
			 0);
	assert_int_equal(xlcfg__override(&cfg, "memory=128", err, sizeof(err)), 0);
	assert_int_equal(cfg.memory_mib, 128);
	assert_int_equal(xlcfg__override(&cfg, " memory = 0x100 ; # again ", err, sizeof(err)), 0);
	assert_int_equal(cfg.memory_mib, 256);
	assert_int_equal(xlcfg__override(&cfg, "name=\"g2\"", err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "g2");
	assert_int_equal(xlcfg__override(&cfg, "pci=['01:10.2', '01:10.4@5']", err, sizeof(err)),
			 0);
	assert_int_equal(cfg.nr_pci, 2);
	assert_int_equal(cfg.pci[1].vslot, 5);
	assert_int_equal(
	    xlcfg__override(&cfg, "app=['pktgen size=64','reflector']", err, sizeof(err)), 0);
	assert_int_equal(cfg.nr_app, 2);
	assert_string_equal(cfg.app[1], "reflector");
	assert_int_equal(xlcfg__override(&cfg, "ip='192.168.1.1/16'", err, sizeof(err)), 0);
	assert_string_equal(cfg.ip, "192.168.1.1/16");

	expect_override_error(&cfg, "memory=0",
			      "<command line>:1:8: memory must be 1..4096 MiB, not 0");
	expect_override_error(&cfg, "memory",
			      "<command line>:1:7: expected '=' after key 'memory'");
	expect_override_error(&cfg, "memroy=1",
			      "<command line>:1:1: key 'memroy' is not an xl.cfg key; did you mean "
			      "'memory'?");
	expect_override_error(&cfg, "memory=zz",
			      "<command line>:1:8: key 'memory' wants a number, not the word 'zz'");
	expect_override_error(&cfg, "app=sink",
			      "<command line>:1:5: key 'app' wants a [ list ] of strings, not the "
			      "word 'sink'");
	expect_override_error(&cfg, "name=g3 x",
			      "<command line>:1:9: expected ';' or a new line after the value of "
			      "'name'");
	expect_override_error(&cfg, "memory=1; vcpus=1",
			      "<command line>:1:11: one KEY=VALUE per argument");
	expect_override_error(&cfg, "", "<command line>:1:1: expected KEY=VALUE");
	expect_override_error(&cfg, " # nothing", "<command line>:1:11: expected KEY=VALUE");
	expect_override_error(&cfg, "pci=['01:10.6', '01:20.0']",
			      "<command line>:1:21: pci entry '01:20.0': device 20 is out of range "
			      "00-1f");
	expect_override_error(&cfg, "app=['ok', '']",
			      "<command line>:1:12: app entry '' does not start with an app name");

	/* failed overrides changed nothing */
	assert_int_equal(cfg.memory_mib, 256);
	assert_string_equal(cfg.name, "g2");
	assert_int_equal(cfg.nr_pci, 2);
	assert_int_equal(cfg.pci[0].bdf, 0x0182);
	assert_int_equal(cfg.nr_app, 2);
	assert_string_equal(cfg.app[0], "pktgen size=64");
	assert_int_equal(xlcfg__finish(&cfg, err, sizeof(err)), 0);
	xlcfg__free(&cfg);
}

/* A real Xen guest config: what vfnet has no use for is accepted, one warning per key, all in
 * one pass, in the order of the file. */
static void test_ignored_keys(void **state)
{
	static const char text[] = "name = 'web1'\n"
				   "uuid = '5b8a4f4e-7b1c-4f5e-9c3a-2f1d0e6b7a11'\n"
				   "builder = 'generic'\n"
				   "kernel = '/boot/vmlinuz-6.1'\n"
				   "ramdisk = '/boot/initrd.img-6.1'\n"
				   "extra = 'root=/dev/xvda1 console=hvc0'\n"
				   "memory = 512\n"
				   "maxmem = 1024\n"
				   "vcpus = 4\n"
				   "disk = [ 'phy:/dev/vg0/web1,xvda,w',\n"
				   "         'file:/srv/web1.iso,xvdc:cdrom,r' ]\n"
				   "on_poweroff = 'destroy'\n"
				   "on_reboot = 'restart'\n"
				   "on_crash = 'restart'\n"
				   "pci = [ '01:10.0' ]\n";
	static const char *const want[] = {
	    "guest.cfg:2: warning: uuid ignored: vfnet has no use for it",
	    "guest.cfg:3: warning: builder ignored: a vfnet guest is a process, neither PV nor HVM",
	    "guest.cfg:4: warning: kernel ignored: a vfnet guest is a process running vfnet's "
	    "runtime, not a kernel image",
	    "guest.cfg:5: warning: ramdisk ignored: a vfnet guest is a process running vfnet's "
	    "runtime, not a kernel image",
	    "guest.cfg:6: warning: extra ignored: a vfnet guest is a process running vfnet's "
	    "runtime, not a kernel image",
	    "guest.cfg:8: warning: maxmem ignored: a vfnet guest's RAM is fixed at its memory =",
	    "guest.cfg:9: warning: vcpus = 4 ignored: vfnet domains have one vCPU",
	    "guest.cfg:10: warning: disk ignored: vfnet guests have passed-through VFs only (pci =)",
	    "guest.cfg:12: warning: on_poweroff ignored: a vfnet guest that exits is gone; only "
	    "on_crash is honoured",
	    "guest.cfg:13: warning: on_reboot ignored: a vfnet guest that exits is gone; only "
	    "on_crash is honoured",
	};
	struct xlcfg cfg;

	assert_int_equal(parse(&cfg, text), 0);
	assert_int_equal(xlcfg__finish(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "web1");
	assert_int_equal(cfg.memory_mib, 512);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.on_crash, XLCFG_CRASH_RESTART);
	assert_int_equal(cfg.nr_pci, 1);
	assert_int_equal(cfg.nr_warn, ARRAY_SIZE(want));
	for (unsigned int i = 0; i < ARRAY_SIZE(want); i++)
		assert_string_equal(cfg.warn[i], want[i]);
	assert_int_equal(cfg.warn_lost, 0);
	xlcfg__free(&cfg);

	/* a syntax error in an ignored key's value is still an error */
	expect_error("name = 'a'\nkernel = /boot/vmlinuz\n",
		     "guest.cfg:2:10: expected a value after '=': a 'string', a number or a [ list ]");
}

static void test_on_crash(void **state)
{
	static const struct {
		const char *text;
		enum xlcfg_on_crash act;
		const char *warning; /* or NULL */
	} cases[] = {
		{"on_crash = 'destroy'", XLCFG_CRASH_DESTROY, NULL},
		{"on_crash = 'restart'", XLCFG_CRASH_RESTART, NULL},
		{"on_crash = 'preserve'", XLCFG_CRASH_PRESERVE, NULL},
		{"on_crash = 'coredump-destroy'", XLCFG_CRASH_DESTROY,
		 "guest.cfg:1: warning: on_crash 'coredump-destroy' is no core dump: destroy"},
		{"on_crash = 'coredump-restart'", XLCFG_CRASH_RESTART,
		 "guest.cfg:1: warning: on_crash 'coredump-restart' is no core dump: restart"},
		{"on_crash = 'rename-restart'", XLCFG_CRASH_RESTART,
		 "guest.cfg:1: warning: on_crash 'rename-restart' is the name is kept: restart"},
	};
	struct xlcfg cfg;

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse(&cfg, cases[i].text), 0);
		assert_int_equal(cfg.on_crash, cases[i].act);
		assert_int_equal(cfg.nr_warn, cases[i].warning ? 1 : 0);
		if (cases[i].warning)
			assert_string_equal(cfg.warn[0], cases[i].warning);
		xlcfg__free(&cfg);
	}
}

/* xl takes bare words on its command line: name=vm2 */
static void test_override_words(void **state)
{
	struct xlcfg cfg;

	assert_int_equal(parse(&cfg, "name = 'g1'\napp = [ 'sink' ]\n"), 0);
	assert_int_equal(xlcfg__override(&cfg, "name=vm2", err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "vm2");
	assert_int_equal(xlcfg__override(&cfg, "name = vm-3.a ; # comment", err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "vm-3.a");
	assert_int_equal(xlcfg__override(&cfg, "on_crash=preserve", err, sizeof(err)), 0);
	assert_int_equal(cfg.on_crash, XLCFG_CRASH_PRESERVE);
	assert_int_equal(cfg.nr_warn, 0);
	assert_int_equal(xlcfg__override(&cfg, "maxmem=512", err, sizeof(err)), 0);
	assert_int_equal(cfg.nr_warn, 1);
	assert_string_equal(cfg.warn[0], "<command line>:1: warning: maxmem ignored: a vfnet "
					 "guest's RAM is fixed at its memory =");
	expect_override_error(&cfg, "name=vm/4",
			      "<command line>:1:6: name 'vm/4' has a character other than A-Z a-z "
			      "0-9 _ . -");
	assert_string_equal(cfg.name, "vm-3.a");
	/* an app's position, for create's check of its options */
	assert_int_equal(cfg.app_at[0].line, 2);
	assert_int_equal(cfg.app_at[0].col, 9);
	assert_false(cfg.app_at[0].cmdline);
	assert_int_equal(xlcfg__override(&cfg, "app=['reflector', 'sink']", err, sizeof(err)), 0);
	assert_int_equal(cfg.app_at[1].col, 19);
	assert_true(cfg.app_at[1].cmdline);
	xlcfg__free(&cfg);
}

static void test_finish(void **state)
{
	struct xlcfg cfg;

	assert_int_equal(parse(&cfg, "memory = 32\n"), 0);
	assert_int_equal(xlcfg__finish(&cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "guest.cfg: key 'name' is missing: every domain needs one");
	assert_int_equal(xlcfg__override(&cfg, "name='late'", err, sizeof(err)), 0);
	assert_int_equal(xlcfg__finish(&cfg, err, sizeof(err)), 0);
	xlcfg__free(&cfg);

	/* overrides alone, without a file */
	xlcfg__init(&cfg);
	assert_int_equal(xlcfg__finish(&cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "<command line>: key 'name' is missing: every domain needs one");
	assert_int_equal(xlcfg__override(&cfg, "name='solo'", err, sizeof(err)), 0);
	assert_int_equal(xlcfg__finish(&cfg, err, sizeof(err)), 0);
	xlcfg__free(&cfg);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_load(void **state)
{
	char dir[] = "/tmp/vfnet-xlcfg-XXXXXX", path[64], want[128];
	char *big = calloc(1, XLCFG_FILE_MAX + 1);
	struct xlcfg cfg;

	assert_non_null(big);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/guest.cfg", dir);

	write_file(path, "name = 'vm1'\nmemory = 96\n", 25);
	assert_int_equal(xlcfg__load(&cfg, path, err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "vm1");
	assert_int_equal(cfg.memory_mib, 96);
	xlcfg__free(&cfg);

	write_file(path, "name = 'vm1'\nmemory = 96\nvcpus = 4\n", 35);
	assert_int_equal(xlcfg__load(&cfg, path, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s:3: warning: vcpus = 4 ignored: vfnet domains have one vCPU",
		 path);
	assert_int_equal(cfg.nr_warn, 1);
	assert_string_equal(cfg.warn[0], want);
	xlcfg__free(&cfg);
	write_file(path, "name = 'vm1'\nmemory = 96\nvcpus = 0\n", 35);
	assert_int_equal(xlcfg__load(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3:9: vcpus must be at least 1", path);
	assert_string_equal(err, want);
	xlcfg__free(&cfg);

	/* exactly the limit loads; one byte more does not */
	memset(big, '\n', XLCFG_FILE_MAX + 1);
	write_file(path, big, XLCFG_FILE_MAX);
	assert_int_equal(xlcfg__load(&cfg, path, err, sizeof(err)), 0);
	xlcfg__free(&cfg);
	write_file(path, big, XLCFG_FILE_MAX + 1);
	assert_int_equal(xlcfg__load(&cfg, path, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: larger than 65536 bytes", path);
	assert_string_equal(err, want);
	xlcfg__free(&cfg);
	assert_int_equal(unlink(path), 0);

	assert_int_equal(xlcfg__load(&cfg, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
	xlcfg__free(&cfg);
	assert_int_equal(xlcfg__load(&cfg, dir, err, sizeof(err)), -EISDIR);
	snprintf(want, sizeof(want), "%s: Is a directory", dir);
	assert_string_equal(err, want);
	xlcfg__free(&cfg);

	assert_int_equal(rmdir(dir), 0);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xen_example),  cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_syntax),       cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_limits),       cmocka_unit_test(test_schema_errors),
		cmocka_unit_test(test_app),          cmocka_unit_test(test_pci),
		cmocka_unit_test(test_pci_errors),   cmocka_unit_test(test_pci_defaults),
		cmocka_unit_test(test_vif),          cmocka_unit_test(test_vif_errors),
		cmocka_unit_test(test_override),     cmocka_unit_test(test_ignored_keys),
		cmocka_unit_test(test_on_crash),     cmocka_unit_test(test_override_words),     cmocka_unit_test(test_finish),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
