/*-------------------------------------------------------------------------
 * casemap_driver.c
 *	  Reads "HEX,a,b" lines (a UTF-8 string in hex and two split points),
 *	  case-maps the three spans [0,a), [a,b), [b,len) with
 *	  ddb_template_casemap in the context of the whole string, and prints
 *	  "LOWERHEX UPPERHEX" of the three mapped spans joined.
 *
 * Driven by casemap_crosscheck.js, which compares the answers with node's
 * toLowerCase() and toUpperCase().  Not part of "make all".
 *
 * IDENTIFICATION
 *	  test/unit/casemap_driver.c
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

static void
print_hex(const char *s)
{
	for (; *s; s++)
		printf("%02x", (unsigned char) *s);
}

static void
print_mapped(ddb_transform tr, const char *s, size_t len, size_t a, size_t b)
{
	size_t		cuts[4] = {0, a, b, len};
	int			k;

	for (k = 0; k < 3; k++)
	{
		char	   *m = ddb_template_casemap(tr, s, len, cuts[k], cuts[k + 1]);

		print_hex(m);
		free(m);
	}
}

int
main(void)
{
	static char line[1 << 20];
	static char buf[1 << 19];

	while (fgets(line, sizeof(line), stdin))
	{
		char	   *comma = strchr(line, ',');
		size_t		len = 0;
		size_t		a;
		size_t		b;
		char	   *p;

		if (comma == NULL)
			continue;
		for (p = line; p + 1 < comma; p += 2)
		{
			unsigned int v;

			sscanf(p, "%2x", &v);
			buf[len++] = (char) v;
		}
		buf[len] = '\0';
		if (sscanf(comma + 1, "%zu,%zu", &a, &b) != 2 || a > b || b > len)
			a = b = len;
		print_mapped(DDB_TRANSFORM_LOWER, buf, len, a, b);
		putchar(' ');
		print_mapped(DDB_TRANSFORM_UPPER, buf, len, a, b);
		putchar('\n');
	}
	return 0;
}
