/* vfnet ip link: iproute2's `ip link` against a domain's netdevs (dom0's by default). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/cmd.h"
#include "cli/ip_parse.h"
#include "cli/ip_print.h"

static void ip_help(FILE *out)
{
	fprintf(
	    out,
	    "usage: vfnet ip [OPTIONS] link [show] [[dev] DEV] [up]\n"
	    "       vfnet ip [OPTIONS] link set [dev] DEV [up|down] [address MAC] [mtu N]\n"
	    "                 [promisc on|off] [allmulticast on|off]\n"
	    "                 [vf N [mac MAC] [vlan VID [qos Q] [proto 802.1Q|802.1ad]]\n"
	    "                       [rate MBPS] [max_tx_rate MBPS] [min_tx_rate MBPS]\n"
	    "                       [spoofchk on|off] [trust on|off] [state auto|enable|disable]\n"
	    "                       [query_rss on|off]]...\n"
	    "OPTIONS := -s[tats] (twice: the same) | -d[etails] | -j[son] | -p[retty] | -br[ief]\n"
	    "           | --domain DOM\n\n"
	    "As iproute2's `ip link`, with its grammar: words may be shortened as ip takes them\n"
	    "(`ip l s pf0 up`, `ip link list`), `dev` may be left out, several `vf N` groups may\n"
	    "follow one device, and -j prints ip's own JSON (ifindex, ifname, flags, operstate,\n"
	    "vfinfo_list with vlan_list, rate, spoofchk, trust, link_state, stats), so scripts\n"
	    "written for `ip -j` read it unchanged.\n\n"
	    "Without --domain the links are dom0's: pf0 and pf1, the 82576's ports, whose PF\n"
	    "driver applies each VF's administrator policy (MAC in RAR, port VLAN in VMVIR/VLVF,\n"
	    "anti-spoofing in DTXSWC, trust, the link state the VF sees, the Tx rate limit) and\n"
	    "reports the per-VF lines. A command is checked whole before anything is applied:\n"
	    "if the driver refuses one setting (min_tx_rate, which the 82576 does not have;\n"
	    "802.1ad, which igb refuses), nothing changes, RTNETLINK's error is printed, and a\n"
	    "second line names the keyword (dom0's log has the reason: `vfnet dmesg 0`).\n"
	    "`ip link set pf0 down` resets the port as igb does; VF drivers recover by "
	    "themselves.\n\n"
	    "--domain DOM runs the command inside domain DOM (a name or an id) on its own\n"
	    "interfaces: a guest's eth0 is its VF, whose driver asks the PF driver through the\n"
	    "mailbox; a refusal shows as RTNETLINK's error.\n\n"
	    "examples:\n"
	    "  vfnet ip link set pf0 vf 2 mac 02:00:00:00:02:02 vlan 10 qos 3 spoofchk on\n"
	    "  vfnet ip link set dev pf0 vf 0 trust on vf 1 max_tx_rate 100\n"
	    "  vfnet ip link set pf0 up\n"
	    "  vfnet ip -s link show dev pf0\n"
	    "  vfnet ip -br link\n"
	    "  vfnet ip -j -d link show pf0\n"
	    "  vfnet ip --domain guest1 link set eth0 address 02:00:00:00:00:99\n");
}

/* One request to the domain's services; the error, then its detail, on failure. */
static int ip_call(const char *domain, struct json_object *req, struct json_object **reply)
{
	struct json_object *creq = json_object_new_object(), *crep = NULL, *v;
	int fd, rc;

	json_object_object_add(creq, "op", json_object_new_string("connect"));
	json_object_object_add(creq, "domain", json_object_new_string(domain));
	rc = client__call_fd("ip", creq, &crep, &fd);
	json_object_put(creq);
	json_object_put(crep);
	if (rc)
		return rc;
	if (fd < 0)
		return cmd__fail("ip", "the host passed no connection to domain %s", domain);
	rc = client__request(fd, req, reply);
	close(fd);
	if (rc)
		return cmd__fail("ip", "no reply from domain %s: %s", domain,
				 rc == -EPROTO ? "not a JSON object" : strerror(-rc));
	if (json_object_object_get_ex(*reply, "ok", &v) && json_object_get_boolean(v))
		return EXIT_OK;
	if (json_object_object_get_ex(*reply, "error", &v) &&
	    !strcmp(json_object_get_string(v), "unknown op"))
		rc = cmd__fail("ip", "domain %s has no `ip link` service", domain);
	else
		rc = cmd__fail("ip", "%s",
			       v ? json_object_get_string(v) : "refused, no reason given");
	if (json_object_object_get_ex(*reply, "detail", &v))
		cmd__fail("ip", "%s", json_object_get_string(v));
	json_object_put(*reply);
	*reply = NULL;
	return rc;
}

static int ip_run(int argc, char **argv)
{
	struct json_object *reply = NULL, *links;
	struct ip_cmd c;
	char err[256];
	int rc;

	if (ip_parse(argc, argv, &c, err, sizeof(err))) {
		rc = cmd__usage("ip", "%s", err);
		goto out;
	}
	if (c.verb == IP_HELP) {
		ip_help(stdout);
		return EXIT_OK;
	}
	rc = ip_call(c.domain ? c.domain : "0", c.req, &reply);
	if (rc || c.verb == IP_SET)
		goto out;
	if (!json_object_object_get_ex(reply, "links", &links) ||
	    !json_object_is_type(links, json_type_array)) {
		rc = cmd__fail("ip", "the domain's reply has no links");
		goto out;
	}
	ip_print_links(stdout, links, &c);
out:
	json_object_put(reply);
	json_object_put(c.req);
	return rc;
}

const struct cmd cmd_ip = {
    .name = "ip",
    .summary = "ip link show/set: links, per-VF MAC, VLAN, spoof check, trust, state, rate",
    .run = ip_run,
    .help = ip_help,
};
