#include "cli/br_format.h"

void br_format__show_header(FILE *out)
{
	fputs("bridge name\tbridge id\t\tSTP enabled\tinterfaces\n", out);
}

void br_format__show_bridge(FILE *out, const char *name, const char *id, const char *stp,
			    const char *const *ports, size_t nports)
{
	fprintf(out, "%s\t\t%s\t%s\t\t", name, id, stp);
	for (size_t i = 0; i < nports; i++)
		fprintf(out, "%s%s", i ? "\n\t\t\t\t\t\t\t" : "", ports[i]);
	fputc('\n', out);
}

void br_format__fdb_line(FILE *out, const char *mac, const char *ifname, const char *master,
			 const char *state)
{
	fprintf(out, "%s dev %s master %s %s\n", mac, ifname, master, state);
}
