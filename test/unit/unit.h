/*
 * unit.h
 *	  A tiny assertion kit for the pure C unit tests.
 */
#ifndef DDB_UNIT_H
#define DDB_UNIT_H

#include <stdio.h>
#include <string.h>

static int	unit_passed;
static int	unit_failed;

#define CHECK(cond) do { \
	if (cond) unit_passed++; \
	else { unit_failed++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ && w_ && strcmp(g_, w_) == 0) unit_passed++; \
	else { unit_failed++; fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } \
} while (0)

#define UNIT_DONE(name) do { \
	printf("unit %s: %d passed, %d failed\n", (name), unit_passed, unit_failed); \
	return unit_failed ? 1 : 0; \
} while (0)

#endif
