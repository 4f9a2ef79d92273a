#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int current = -1;

static enum log_level level_from_env(void)
{
	static const char *names[] = {"err", "warn", "info", "debug"};
	const char *e = getenv("VFNET_LOG");

	for (unsigned i = 0; e && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(e, names[i]))
			return (enum log_level)i;
	return LOG_WARN;
}

void log__set_level(enum log_level level)
{
	current = (int)level;
}

enum log_level log__level(void)
{
	if (current < 0)
		current = (int)level_from_env();
	return (enum log_level)current;
}

void log__msg(enum log_level level, const char *tag, const char *fmt, ...)
{
	static const char *prefix[] = {"error", "warning", "info", "debug"};
	char buf[512];
	va_list ap;

	if (level > log__level())
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s: %s\n", tag, prefix[level], buf);
}
