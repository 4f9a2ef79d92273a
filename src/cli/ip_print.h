/*
 * `vfnet ip link show`'s output from the links a domain reports in iproute2's JSON keys
 * (netdev__json, a PF's vfinfo_list): the text of iproute2's print_linkinfo, print_vfinfo,
 * print_stats64 and print_vf_stats64 (-s), the brief form (-br), the details (-d), or the JSON
 * itself (-j, -p).
 */
#ifndef VFNET_CLI_IP_PRINT_H
#define VFNET_CLI_IP_PRINT_H

#include <stdio.h>

#include "cli/ip_parse.h"

void ip_print_links(FILE *out, struct json_object *links, const struct ip_cmd *c);

#endif
