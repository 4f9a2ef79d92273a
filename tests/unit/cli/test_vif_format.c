/* xl network-list's table, and `brctl show` / `bridge fdb show` lines, as their tools print them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/br_format.h"
#include "cli/vif_format.h"

static char *buf;
static size_t len;

static FILE *out(void)
{
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	return f;
}

static void header_and_rows(void **state)
{
	struct vif_row r = {.devid = 0,
			    .backend_id = 0,
			    .mac = "00:16:3e:2a:5b:01",
			    .state = 4,
			    .evtch = -1,
			    .tx_ring_ref = 768,
			    .rx_ring_ref = 769,
			    .be_path = "/local/domain/0/backend/vif/1/0"};
	FILE *f = out();

	vif_format__header(f);
	vif_format__row(f, &r);
	r = (struct vif_row){.devid = 7,
			     .mac = "00:16:3e:00:00:07",
			     .state = 1,
			     .evtch = -1,
			     .tx_ring_ref = -1,
			     .rx_ring_ref = -1,
			     .be_path = "/local/domain/0/backend/vif/12/7"};
	vif_format__row(f, &r);
	fclose(f);
	assert_string_equal(buf, "Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref "
				 "BE-path                       \n"
				 "0   0  00:16:3e:2a:5b:01     0     4     -1   768/769         "
				 "/local/domain/0/backend/vif/1/0\n"
				 "7   0  00:16:3e:00:00:07     7     1     -1    -1/-1          "
				 "/local/domain/0/backend/vif/12/7\n");
	free(buf);
}

static void numbers_as_libxl(void **state)
{
	assert_int_equal(vif_format__num(NULL), -1);
	assert_int_equal(vif_format__num("4"), 4);
	assert_int_equal(vif_format__num(""), 0);
	/* A guest writes its own frontend keys: junk reads as strtoul reads it, never a crash. */
	assert_int_equal(vif_format__num("12abc"), 12);
	assert_int_equal(vif_format__num("\xff\xff"), 0);
}

static void brctl_show(void **state)
{
	const char *const ports[] = {"pf0", "vif1.0", "vif2.0"};
	FILE *f = out();

	br_format__show_header(f);
	br_format__show_bridge(f, "xenbr0", "8000.0200b2000000", "no", ports, 3);
	br_format__show_bridge(f, "xenbr1", "8000.0200b2000001", "no", NULL, 0);
	fclose(f);
	assert_string_equal(buf, "bridge name\tbridge id\t\tSTP enabled\tinterfaces\n"
				 "xenbr0\t\t8000.0200b2000000\tno\t\tpf0\n"
				 "\t\t\t\t\t\t\tvif1.0\n"
				 "\t\t\t\t\t\t\tvif2.0\n"
				 "xenbr1\t\t8000.0200b2000001\tno\t\t\n");
	free(buf);
}

static void fdb_lines(void **state)
{
	FILE *f = out();

	br_format__fdb_line(f, "00:16:3e:00:00:a1", "vif1.0", "xenbr0", "");
	br_format__fdb_line(f, "02:00:00:00:00:0a", "pf0", "xenbr0", "permanent");
	fclose(f);
	assert_string_equal(buf, "00:16:3e:00:00:a1 dev vif1.0 master xenbr0 \n"
				 "02:00:00:00:00:0a dev pf0 master xenbr0 permanent\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(header_and_rows),
	    cmocka_unit_test(numbers_as_libxl),
	    cmocka_unit_test(brctl_show),
	    cmocka_unit_test(fdb_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
