/* vfnet ip link: iproute2's VF administration, answered by dom0's PF driver. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"
#include "cli/cmd.h"

static void ip_help(FILE *out)
{
	fprintf(out,
		"usage: vfnet ip [-s] [-j] link show [pf0|pf1]\n"
		"       vfnet ip link set PF vf N [mac MAC] [vlan VID [qos Q]] [spoofchk on|off]\n"
		"                               [trust on|off] [state auto|enable|disable]\n"
		"                               [max_tx_rate MBPS] [min_tx_rate MBPS]\n"
		"       vfnet ip -d DOM [-j] link show [DEV]\n"
		"       vfnet ip -d DOM link set DEV [up|down] [address MAC] [mtu N]\n"
		"                               [promisc on|off] [allmulticast on|off]\n\n"
		"As iproute2's `ip link`, for the 82576's PFs: dom0's PF driver applies each VF's\n"
		"administrator policy (MAC in RAR, port VLAN in VMVIR/VLVF, anti-spoofing in\n"
		"DTXSWC, trust, the link state the VF sees, the Tx rate limit) and reports the\n"
		"per-VF lines `ip link show` prints. -s adds statistics, -j prints JSON.\n"
		"With -d DOM the command runs inside domain DOM, on its own interfaces (a\n"
		"guest's eth0 is its VF): what the guest asks of its VF driver, which asks the\n"
		"PF driver through the mailbox; a refusal shows as RTNETLINK's error.\n\n"
		"examples:\n"
		"  vfnet ip link set pf0 vf 2 mac 02:00:00:00:02:02 vlan 10 spoofchk on\n"
		"  vfnet ip link set pf0 vf 2 max_tx_rate 100\n"
		"  vfnet ip -s link show pf0\n"
		"  vfnet ip -d guest1 link set eth0 address 02:00:00:00:00:99\n");
}

/* ip -s's two lines for one direction: the header, then the counters (missing ones as 0). */
static void print_dir(struct json_object *st, const char *label, const char *dir, bool errors)
{
	static const char *const names[] = {"bytes", "packets", "errors", "dropped"};
	static const int widths[] = {10, 7, 6, 7};
	unsigned n = errors ? 4 : 2;

	printf("    %s:  bytes packets%s\n    ", label, errors ? " errors dropped" : "");
	for (unsigned i = 0; i < n; i++) {
		struct json_object *v;
		char key[32];

		snprintf(key, sizeof(key), "%s_%s", dir, names[i]);
		printf("%s%*lld", i ? " " : "", widths[i],
		       json_object_object_get_ex(st, key, &v) ? (long long)json_object_get_int64(v) : 0);
	}
	printf("\n");
}

static int link_show(int argc, char **argv, bool stats, bool json)
{
	struct json_object *req = json_object_new_object(), *reply = NULL, *links, *v;
	int rc;

	if (argc > 1)
		return json_object_put(req), cmd__usage("ip", "unexpected argument '%s'", argv[1]);
	json_object_object_add(req, "op", json_object_new_string("ip-link-show"));
	if (argc == 1)
		json_object_object_add(req, "pf", json_object_new_string(argv[0]));
	if (stats)
		json_object_object_add(req, "stats", json_object_new_boolean(true));
	rc = client__domain_call("ip", "0", req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(reply, "links", &links)) {
		json_object_put(reply);
		return cmd__fail("ip", "dom0's reply has no links");
	}
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(links, JSON_C_TO_STRING_PLAIN));
		json_object_put(reply);
		return EXIT_OK;
	}
	for (size_t i = 0; i < json_object_array_length(links); i++) {
		struct json_object *l = json_object_array_get_idx(links, i), *vfs, *st;
		const char *name = json_object_object_get_ex(l, "ifname", &v) ? json_object_get_string(v) : "?";
		bool up = json_object_object_get_ex(l, "up", &v) && json_object_get_boolean(v);
		bool carrier = json_object_object_get_ex(l, "carrier", &v) && json_object_get_boolean(v);
		int mtu = json_object_object_get_ex(l, "mtu", &v) ? json_object_get_int(v) : 1500;

		printf("%zu: %s: <BROADCAST,MULTICAST%s%s> mtu %d state %s\n", i + 2, name,
		       up ? ",UP" : "", up && carrier ? ",LOWER_UP" : "", mtu,
		       !up ? "DOWN" : carrier ? "UP" : "DOWN");
		printf("    link/ether %s brd %s\n",
		       json_object_object_get_ex(l, "address", &v) ? json_object_get_string(v) : "?",
		       json_object_object_get_ex(l, "broadcast", &v) ? json_object_get_string(v)
								      : "ff:ff:ff:ff:ff:ff");
		if (stats && json_object_object_get_ex(l, "stats", &st)) {
			print_dir(st, "RX", "rx", true);
			print_dir(st, "TX", "tx", true);
		}
		if (!json_object_object_get_ex(l, "vfinfo_list", &vfs))
			continue;
		for (size_t k = 0; k < json_object_array_length(vfs); k++) {
			struct json_object *vf = json_object_array_get_idx(vfs, k);

			if (json_object_object_get_ex(vf, "line", &v))
				printf("    %s\n", json_object_get_string(v));
			if (stats && json_object_object_get_ex(vf, "stats", &st)) {
				print_dir(st, "RX", "rx", false);
				print_dir(st, "TX", "tx", false);
			}
		}
	}
	json_object_put(reply);
	return EXIT_OK;
}

static const char *const set_keys[] = {"mac", "vlan", "qos", "spoofchk", "trust", "state",
				       "max_tx_rate", "min_tx_rate", "rate", NULL};

static int link_set(int argc, char **argv)
{
	struct json_object *req, *reply = NULL;
	int rc;

	if (argc < 3 || strcmp(argv[1], "vf"))
		return cmd__usage("ip", "usage: ip link set PF vf N [OPTION VALUE]...");
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("ip-link-set"));
	json_object_object_add(req, "pf", json_object_new_string(argv[0]));
	json_object_object_add(req, "vf", json_object_new_string(argv[2]));
	for (int i = 3; i < argc; i += 2) {
		bool known = false;

		for (const char *const *k = set_keys; *k; k++)
			known |= !strcmp(*k, argv[i]);
		if (!known) {
			json_object_put(req);
			return cmd__usage("ip", "Error: argument \"%s\" is wrong: unknown vf option",
					  argv[i]);
		}
		if (i + 1 == argc) {
			json_object_put(req);
			return cmd__usage("ip", "Command line is not complete: %s needs a value",
					  argv[i]);
		}
		if (json_object_object_get_ex(req, argv[i], NULL)) {
			json_object_put(req);
			return cmd__usage("ip", "Error: duplicate \"%s\": \"%s\" is the second value",
					  argv[i], argv[i + 1]);
		}
		json_object_object_add(req, argv[i], json_object_new_string(argv[i + 1]));
	}
	rc = client__domain_call("ip", "0", req, &reply);
	json_object_put(req);
	json_object_put(reply);
	return rc;
}

/* Inside a domain: its own netdevs, as `ip link` in that guest would show and set them. */
static int dom_link_show(const char *dom, int argc, char **argv, bool json)
{
	struct json_object *req = json_object_new_object(), *reply = NULL, *links, *v;
	int rc;

	json_object_object_add(req, "op", json_object_new_string("link-show"));
	rc = client__domain_call("ip", dom, req, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	json_object_object_get_ex(reply, "links", &links);
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(links, JSON_C_TO_STRING_PLAIN));
		json_object_put(reply);
		return EXIT_OK;
	}
	for (size_t i = 0; i < json_object_array_length(links); i++) {
		struct json_object *l = json_object_array_get_idx(links, i);
		const char *name = json_object_object_get_ex(l, "ifname", &v) ? json_object_get_string(v) : "?";
		bool up = json_object_object_get_ex(l, "up", &v) && json_object_get_boolean(v);
		bool carrier = json_object_object_get_ex(l, "carrier", &v) && json_object_get_boolean(v);

		if (argc == 1 && strcmp(argv[0], name))
			continue;
		printf("%zu: %s: <BROADCAST,MULTICAST%s%s> mtu %d state %s\n", i + 2, name,
		       up ? ",UP" : "", up && carrier ? ",LOWER_UP" : "",
		       json_object_object_get_ex(l, "mtu", &v) ? json_object_get_int(v) : 1500,
		       up && carrier ? "UP" : "DOWN");
		printf("    link/ether %s brd ff:ff:ff:ff:ff:ff\n",
		       json_object_object_get_ex(l, "address", &v) ? json_object_get_string(v) : "?");
	}
	json_object_put(reply);
	return EXIT_OK;
}

static int dom_link_set(const char *dom, int argc, char **argv)
{
	struct json_object *req, *reply = NULL;
	int rc;

	if (argc < 1)
		return cmd__usage("ip", "usage: ip -d DOM link set DEV [address MAC] [mtu N] "
					"[promisc on|off] [allmulticast on|off]");
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("link-set"));
	json_object_object_add(req, "dev", json_object_new_string(argv[0]));
	for (int i = 1; i < argc; i += 2) {
		const char *k = argv[i];

		if (!strcmp(k, "up") || !strcmp(k, "down")) {
			json_object_object_add(req, "state", json_object_new_string(k));
			i--;
			continue;
		}
		if (i + 1 == argc) {
			json_object_put(req);
			return cmd__usage("ip", "Command line is not complete: %s needs a value", k);
		}
		if (!strcmp(k, "address")) {
			json_object_object_add(req, "address", json_object_new_string(argv[i + 1]));
		} else if (!strcmp(k, "mtu")) {
			char *end;
			long mtu = strtol(argv[i + 1], &end, 10);

			if (*end || mtu <= 0 || mtu > 65535) {
				json_object_put(req);
				return cmd__usage("ip", "Error: argument \"%s\" is wrong: Invalid \"mtu\" value",
						  argv[i + 1]);
			}
			json_object_object_add(req, "mtu", json_object_new_int((int)mtu));
		} else if (!strcmp(k, "promisc") || !strcmp(k, "allmulticast")) {
			bool on = !strcmp(argv[i + 1], "on");

			if (!on && strcmp(argv[i + 1], "off")) {
				json_object_put(req);
				return cmd__usage("ip", "Error: argument of \"%s\" must be \"on\" or \"off\", not \"%s\"",
						  k, argv[i + 1]);
			}
			json_object_object_add(req, k, json_object_new_boolean(on));
		} else {
			json_object_put(req);
			return cmd__usage("ip", "Error: either \"dev\" is duplicate, or \"%s\" is a garbage.",
					  k);
		}
	}
	rc = client__domain_call("ip", dom, req, &reply);
	json_object_put(req);
	json_object_put(reply);
	return rc;
}

static int ip_run(int argc, char **argv)
{
	bool stats = false, json = false;
	const char *dom = NULL;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-s")) {
			stats = true;
		} else if (!strcmp(argv[i], "-j")) {
			json = true;
		} else if (!strcmp(argv[i], "-d")) {
			if (++i == argc)
				return cmd__usage("ip", "-d needs a domain");
			dom = argv[i];
		} else {
			return cmd__usage("ip", "Option \"%s\" is unknown", argv[i]);
		}
	}
	if (dom && i < argc && !strcmp(argv[i], "link")) {
		i++;
		if (i == argc || !strcmp(argv[i], "show"))
			return dom_link_show(dom, i == argc ? 0 : argc - i - 1, argv + i + 1, json);
		if (!strcmp(argv[i], "set"))
			return dom_link_set(dom, argc - i - 1, argv + i + 1);
		return cmd__usage("ip", "Command \"%s\" is unknown, try \"ip link help\"", argv[i]);
	}
	if (i == argc || strcmp(argv[i], "link"))
		return cmd__usage("ip", "only `ip link` is implemented: ip link show|set ...");
	i++;
	if (i == argc || !strcmp(argv[i], "show"))
		return link_show(i == argc ? 0 : argc - i - 1, argv + i + 1, stats, json);
	if (!strcmp(argv[i], "set"))
		return link_set(argc - i - 1, argv + i + 1);
	return cmd__usage("ip", "Command \"%s\" is unknown, try \"ip link help\"", argv[i]);
}

const struct cmd cmd_ip = {
	.name = "ip",
	.summary = "ip link show/set: per-VF MAC, VLAN, spoof check, trust, state, rate",
	.run = ip_run,
	.help = ip_help,
};
