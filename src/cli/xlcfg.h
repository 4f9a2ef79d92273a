/*
 * Domain configuration files in Xen's xl.cfg syntax, for `vfnet create FILE [KEY=VALUE ...]`.
 *
 * Syntax: lines of `KEY = VALUE`, `#` comments to the end of a line, optional `;` terminators.
 * VALUE is a string in single or double quotes (escapes \\ \" \' \n), a number (decimal or 0x
 * hex) or a list of strings `[ 'a', 'b', ]` that may span lines; on the command line a bare word
 * is a string too (name=vm2, as xl takes it). The keys vfnet implements are applied (see struct
 * xlcfg); the other keys a real Xen config carries (maxmem, kernel, disk, on_reboot, ...) are
 * accepted with a warning each ("FILE:LINE: warning: KEY ignored: why"), collected in one pass
 * in xlcfg.warn. Any other key (with the nearest known one when it looks like a typo), a key
 * given twice, a value of the wrong type or out of range is an error.
 *
 * Every function returns 0 or a negative errno and, on error, writes one line without a newline
 * to @err (truncated to @errlen): "FILE:LINE:COL: what is wrong", columns counted in bytes from 1.
 */
#ifndef VFNET_CLI_XLCFG_H
#define VFNET_CLI_XLCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLCFG_FILE_MAX	 65536u /* bytes in a configuration file */
#define XLCFG_LINE_MAX	 4096u	/* bytes in a line, without its newline; also a KEY=VALUE */
#define XLCFG_LIST_MAX	 64u	/* items in any one list */
#define XLCFG_NAME_MAX	 31u
#define XLCFG_MEMORY_MAX 4096u /* MiB */
#define XLCFG_PCI_MAX	 8u
#define XLCFG_VIF_MAX	 8u
#define XLCFG_APP_MAX	 16u
#define XLCFG_APP_LEN	 256u /* bytes in one app string */
#define XLCFG_WARN_MAX	 32u  /* warnings kept; more are counted in warn_lost */

/* Bits of xlcfg_pci.given: options the entry set itself, the others come from pci_* keys. */
#define XLCFG_PCI_PERMISSIVE   (1u << 0)
#define XLCFG_PCI_SEIZE	       (1u << 1)
#define XLCFG_PCI_MSITRANSLATE (1u << 2)
#define XLCFG_PCI_POWER_MGMT   (1u << 3)

/* One PCI_SPEC_STRING: `[DDDD:]BB:DD.F[@VSLOT][,KEY=VALUE...]`, domain 0000 only. */
struct xlcfg_pci {
	uint16_t bdf; /* bus << 8 | dev << 3 | fn */
	int vslot;    /* guest slot 0x01..0x1f, -1 = first free */
	bool permissive, seize, msitranslate, power_mgmt;
	unsigned int given; /* XLCFG_PCI_*; xlcfg__finish fills the rest from the pci_* defaults */
	char driver[32];    /* vfnet's own driver=NAME: the guest's driver for it; "" = by id */
};

/* One vif spec string: `KEY=VALUE,...`, '' for all defaults. Empty strings: not given. */
struct xlcfg_vif {
	uint8_t mac[6];
	bool has_mac;	  /* else the toolstack picks one */
	char bridge[32];  /* interface name, at most 15 bytes */
	char vifname[32]; /* interface name, at most 15 bytes */
	char ip[32];	  /* IPv4 address, optionally /prefix */
	unsigned int mtu; /* 68..9000, 0 = not given (the bridge's) */
	char rate[32];	  /* RATE/s[@INTERVAL], as in xl: 10Mb/s, 1MB/s@20ms */
	char backend[32]; /* domain name */
	int devid;	  /* 0..255, -1 = not given */
	char script[64];
	char model[16];
	char type[8];	/* 'vif' or 'ioemu' */
	char spec[128]; /* the entry as written (cut at 127 bytes), for messages */
};

/* Where a value was written: its line and column, in the file or on the command line. */
struct xlcfg_pos {
	unsigned int line, col;
	bool cmdline;
};

/* on_crash: what the machine does when the guest's process dies other than by destroy. */
enum xlcfg_on_crash {
	XLCFG_CRASH_DESTROY,  /* the default: gone, its VFs back in the pool */
	XLCFG_CRASH_RESTART,  /* started again from the same configuration, with its VFs */
	XLCFG_CRASH_PRESERVE, /* kept in the list as crashed (its log too) until destroy */
};

struct xlcfg {
	char name[XLCFG_NAME_MAX + 1]; /* [A-Za-z0-9_.-], not starting with '-'; mandatory */
	unsigned int memory_mib;       /* 1..4096, default 64 */
	unsigned int vcpus;	       /* always 1: vfnet domains have one vCPU (more: a warning) */
	enum xlcfg_on_crash on_crash;
	struct xlcfg_pci pci[XLCFG_PCI_MAX];
	unsigned int nr_pci;
	bool pci_permissive, pci_seize, pci_msitranslate, pci_power_mgmt; /* entry defaults */
	struct xlcfg_vif vif[XLCFG_VIF_MAX];
	unsigned int nr_vif;
	char *app[XLCFG_APP_MAX]; /* vfnet's own: 'pktgen dst=... size=64', stored as given */
	struct xlcfg_pos app_at[XLCFG_APP_MAX];
	unsigned int nr_app;
	char ip[20]; /* 'A.B.C.D/PREFIX' */
	bool has_ip;
	uint8_t ip_addr[4];
	unsigned int ip_prefix;
	char *file; /* the name errors are reported against */
	char *warn[XLCFG_WARN_MAX]; /* one line each, without a newline */
	unsigned int nr_warn, warn_lost;
};

/* Empty configuration with the defaults. Needs no xlcfg__free until an override has added a
 * warning, but tolerates one. */
void xlcfg__init(struct xlcfg *cfg);

/*
 * Initialise @cfg and read @len bytes of @text into it; @fname names the text in errors. Fails
 * with -EFBIG above XLCFG_FILE_MAX bytes, -EINVAL on any syntax or schema error (NUL bytes and
 * control characters other than tab and CR included), -ENOMEM. Call xlcfg__free either way.
 */
int xlcfg__parse(struct xlcfg *cfg, const char *fname, const char *text, size_t len, char *err,
		 size_t errlen);

/*
 * xlcfg__parse on the contents of the file at @path. Errors opening or reading it are
 * "PATH: strerror" with -errno.
 */
int xlcfg__load(struct xlcfg *cfg, const char *path, char *err, size_t errlen);

/*
 * One KEY=VALUE from the command line, in the file's grammar (strings quoted: "name='vm2'"); its
 * value replaces the file's. Errors read "<command line>:1:COL: ...", COL counted in @arg. On
 * error @cfg is unchanged.
 */
int xlcfg__override(struct xlcfg *cfg, const char *arg, char *err, size_t errlen);

/*
 * After the file and the overrides: checks the mandatory keys (-EINVAL, "FILE: ...") and
 * resolves every pci entry's options against the pci_* defaults. May be called again.
 */
int xlcfg__finish(struct xlcfg *cfg, char *err, size_t errlen);

/* Free what @cfg holds and leave it as xlcfg__init does. */
void xlcfg__free(struct xlcfg *cfg);

/*
 * The spec strings on their own (also for a future `vfnet pci-attach`): 0, or -EINVAL and a
 * message without position in @msg, e.g. "key 'rdm_policy' is not supported by vfnet".
 */
int xlcfg_pci__parse(struct xlcfg_pci *pci, const char *spec, char *msg, size_t msglen);
/* The same, and on error the byte offset in @spec of the part the message is about. */
int xlcfg_pci__parse_at(struct xlcfg_pci *pci, const char *spec, char *msg, size_t msglen,
			size_t *off);
int xlcfg_vif__parse(struct xlcfg_vif *vif, const char *spec, char *msg, size_t msglen);

/* A domain name as `name` and a vif's `backend` want it: [A-Za-z0-9_.-]{1,31}, no leading '-'. */
bool xlcfg__name_ok(const char *s);

/*
 * 'A.B.C.D' or 'A.B.C.D/PREFIX' (decimal, no leading zeros, prefix 0..32): 0, or -EINVAL.
 * *prefix is -1 when none was given.
 */
int xlcfg_ipv4__parse(const char *s, uint8_t addr[4], int *prefix);

#endif
