/*-------------------------------------------------------------------------
 * endpoint.c
 *	  Default endpoints of DynamoDB and STS for every AWS partition.
 *
 * The SDKs compute endpoints from a partition table (region pattern, DNS
 * suffix, dual-stack suffix, FIPS support) and a per-service rule set.  For
 * DynamoDB and STS the rules come down to:
 *
 *	  plain			   https://<svc>.<region>.<dns suffix>
 *	  dual-stack	   https://<svc>.<region>.<dual-stack suffix>
 *	  FIPS			   https://<svc>-fips.<region>.<dns suffix>
 *					   (GovCloud: the plain name, which is already FIPS)
 *	  FIPS+dual-stack  https://<svc>-fips.<region>.<dual-stack suffix>
 *
 * plus two pseudo-regions: "local" (DynamoDB Local on localhost:8000) and
 * "aws-global" (the global STS endpoint sts.amazonaws.com).  A partition
 * without dual-stack or FIPS endpoints makes asking for them an error, as
 * in the SDKs, rather than a host name that does not resolve.
 *
 * Pure C: no PostgreSQL headers, no allocation.
 *-------------------------------------------------------------------------
 */
#include "endpoint.h"

#include <stdio.h>
#include <string.h>

/*
 * Partitions, in the order their patterns are tried.  A region belongs to
 * the first partition whose pattern "<prefix>-<word>-<digits>" it matches,
 * or whose pseudo-region ("aws-cn-global") it is.
 */
typedef struct partition_def
{
	ddb_partition p;
	const char *const *prefixes;	/* NULL-terminated */
	const char *global;			/* pseudo-region of the partition */
} partition_def;

static const char *const aws_prefixes[] =
{"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", NULL};
static const char *const cn_prefixes[] = {"cn", NULL};
static const char *const gov_prefixes[] = {"us-gov", NULL};
static const char *const iso_prefixes[] = {"us-iso", NULL};
static const char *const isob_prefixes[] = {"us-isob", NULL};
static const char *const isoe_prefixes[] = {"eu-isoe", NULL};
static const char *const isof_prefixes[] = {"us-isof", NULL};
static const char *const eusc_prefixes[] = {"eusc-de", NULL};

static const partition_def partitions[] = {
	{{"aws", "amazonaws.com", "api.aws", true}, aws_prefixes, "aws-global"},
	{{"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", true},
	cn_prefixes, "aws-cn-global"},
	{{"aws-us-gov", "amazonaws.com", "api.aws", true}, gov_prefixes, "aws-us-gov-global"},
	{{"aws-iso", "c2s.ic.gov", NULL, true}, iso_prefixes, "aws-iso-global"},
	{{"aws-iso-b", "sc2s.sgov.gov", NULL, true}, isob_prefixes, "aws-iso-b-global"},
	{{"aws-iso-e", "cloud.adc-e.uk", NULL, true}, isoe_prefixes, "aws-iso-e-global"},
	{{"aws-iso-f", "csp.hci.ic.gov", NULL, true}, isof_prefixes, "aws-iso-f-global"},
	{{"aws-eusc", "amazonaws.eu", NULL, true}, eusc_prefixes, "aws-eusc-global"},
};

#define NPARTITIONS (sizeof(partitions) / sizeof(partitions[0]))

static bool
is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_';
}

/* Whether region is "<prefix>-<one or more word chars>-<one or more digits>". */
static bool
matches_pattern(const char *region, const char *prefix)
{
	size_t		n = strlen(prefix);
	const char *p;
	const char *word;

	if (strncmp(region, prefix, n) != 0 || region[n] != '-')
		return false;
	p = word = region + n + 1;
	while (is_word_char(*p))
		p++;
	if (p == word || *p != '-')
		return false;
	p++;
	if (*p == '\0')
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

const ddb_partition *
ddb_region_partition(const char *region)
{
	size_t		i;

	if (region == NULL)
		return &partitions[0].p;
	for (i = 0; i < NPARTITIONS; i++)
		if (strcmp(region, partitions[i].global) == 0)
			return &partitions[i].p;
	for (i = 0; i < NPARTITIONS; i++)
	{
		const char *const *pre;

		for (pre = partitions[i].prefixes; *pre; pre++)
			if (matches_pattern(region, *pre))
				return &partitions[i].p;
	}
	return &partitions[0].p;
}

const char *
ddb_signing_region(const char *region)
{
	if (strcmp(region, "local") == 0 || strcmp(region, "aws-global") == 0)
		return "us-east-1";
	return region;
}

int
ddb_endpoint_url(const char *service, const char *region, bool fips,
				 bool dualstack, char *out, size_t outlen, const char **err)
{
	const ddb_partition *part = ddb_region_partition(region);
	const char *suffix = part->dns_suffix;
	const char *fips_tag = "";
	int			n;

	*err = NULL;
	if (dualstack && part->dualstack_suffix == NULL)
	{
		*err = fips ? "FIPS and dual-stack endpoints together are not offered in this partition" :
			"dual-stack endpoints are not offered in this partition";
		return -1;
	}
	if (fips && !part->fips)
	{
		*err = "FIPS endpoints are not offered in this partition";
		return -1;
	}
	if (!fips && !dualstack)
	{
		if (strcmp(service, "dynamodb") == 0 && strcmp(region, "local") == 0)
		{
			n = snprintf(out, outlen, "http://localhost:8000");
			goto done;
		}
		if (strcmp(service, "sts") == 0 && strcmp(region, "aws-global") == 0)
		{
			n = snprintf(out, outlen, "https://sts.amazonaws.com");
			goto done;
		}
	}
	if (dualstack)
		suffix = part->dualstack_suffix;
	/* in GovCloud the plain endpoints are FIPS endpoints (when not dual-stack) */
	if (fips && (dualstack || strcmp(part->name, "aws-us-gov") != 0))
		fips_tag = "-fips";
	n = snprintf(out, outlen, "https://%s%s.%s.%s", service, fips_tag, region, suffix);
done:
	if (n < 0 || (size_t) n >= outlen)
	{
		*err = "the endpoint name is too long";
		return -1;
	}
	return 0;
}
