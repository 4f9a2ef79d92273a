/* Logging: one line per message, to stderr, with a level and a subsystem tag. */
#ifndef VFNET_LIB_LOG_H
#define VFNET_LIB_LOG_H

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Messages above this level are dropped. Default LOG_WARN; VFNET_LOG=debug|info|warn|err. */
void log__set_level(enum log_level level);
enum log_level log__level(void);

void log__msg(enum log_level level, const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define pr_err(tag, ...)   log__msg(LOG_ERR, tag, __VA_ARGS__)
#define pr_warn(tag, ...)  log__msg(LOG_WARN, tag, __VA_ARGS__)
#define pr_info(tag, ...)  log__msg(LOG_INFO, tag, __VA_ARGS__)
#define pr_debug(tag, ...) log__msg(LOG_DEBUG, tag, __VA_ARGS__)

#endif
