/*
 * Fuzz target: random bytes as a domain configuration file, then as a command-line override of
 * the result. Whatever the input, parsing ends in 0 or a negative errno with a one-line message
 * naming "fuzz.cfg:", every warning is one line naming where it comes from, and xlcfg__free
 * leaves nothing behind (ASan's leak check).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/xlcfg.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int ret, const char *err, const char *prefix)
{
	CHECK(ret <= 0);
	if (ret)
		CHECK(!strncmp(err, prefix, strlen(prefix)) && !strchr(err, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlcfg cfg;
	char err[256], *arg;
	int ret;

	err[0] = '\0';
	ret = xlcfg__parse(&cfg, "fuzz.cfg", (const char *)data, size, err, sizeof(err));
	check_err(ret, err, "fuzz.cfg");
	if (!ret) {
		CHECK(cfg.nr_pci <= XLCFG_PCI_MAX && cfg.nr_vif <= XLCFG_VIF_MAX &&
		      cfg.nr_app <= XLCFG_APP_MAX && cfg.vcpus == 1);
		CHECK(cfg.memory_mib >= 1 && cfg.memory_mib <= XLCFG_MEMORY_MAX);
		ret = xlcfg__finish(&cfg, err, sizeof(err));
		check_err(ret, err, "fuzz.cfg");
	}
	/* the same bytes as one KEY=VALUE argument, up to the first NUL as argv would have it */
	arg = strndup((const char *)data, size);
	CHECK(arg);
	ret = xlcfg__override(&cfg, arg, err, sizeof(err));
	check_err(ret, err, "<command line>");
	free(arg);
	CHECK(cfg.nr_warn <= XLCFG_WARN_MAX);
	for (unsigned int i = 0; i < cfg.nr_warn; i++)
		CHECK((!strncmp(cfg.warn[i], "fuzz.cfg:", 9) ||
		       !strncmp(cfg.warn[i], "<command line>:", 15)) &&
		      !strchr(cfg.warn[i], '\n') && strstr(cfg.warn[i], ": warning: "));
	xlcfg__free(&cfg);
	return 0;
}
