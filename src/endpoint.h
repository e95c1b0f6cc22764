/*-------------------------------------------------------------------------
 * endpoint.h
 *	  Default endpoints of DynamoDB and STS for every AWS partition.
 *
 * Pure C, no PostgreSQL headers: unit-tested by test/unit/test_endpoint.c
 * against a table of region -> URL taken from the endpoint rules the AWS
 * SDKs ship.
 *-------------------------------------------------------------------------
 */
#ifndef DDB_ENDPOINT_H
#define DDB_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

/* What ddb_endpoint_url knows of a partition. */
typedef struct ddb_partition
{
	const char *name;			/* "aws", "aws-cn", "aws-us-gov", ... */
	const char *dns_suffix;		/* "amazonaws.com" */
	const char *dualstack_suffix;	/* "api.aws"; NULL: no dual-stack */
	bool		fips;			/* has FIPS endpoints */
} ddb_partition;

/*
 * The partition a region belongs to.  Regions that match no partition's
 * pattern belong to "aws", as in the SDKs, so that a region launched after
 * this table was written still gets the right endpoint.
 */
extern const ddb_partition *ddb_region_partition(const char *region);

/*
 * Writes the default endpoint URL of service ("dynamodb" or "sts") in
 * region into out, e.g. "https://dynamodb.eu-west-1.amazonaws.com", and
 * returns 0; or returns -1 with a reason in *err (a static string) when the
 * partition has no such endpoint (FIPS or dual-stack it does not offer), or
 * out is too small.  The region must already be validated as lower-case
 * letters, digits and dashes.
 */
extern int	ddb_endpoint_url(const char *service, const char *region, bool fips,
							 bool dualstack, char *out, size_t outlen,
							 const char **err);

/*
 * The region to sign a request to the default endpoint with: region, except
 * for the pseudo-regions "local" (DynamoDB Local) and "aws-global" (the
 * global STS endpoint), which sign as us-east-1.
 */
extern const char *ddb_signing_region(const char *region);

#endif
