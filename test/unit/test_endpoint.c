/*
 * test_endpoint.c
 *	  Region -> endpoint for DynamoDB and STS in every partition
 *	  (src/endpoint.c), table-driven.
 *
 * The first table was produced by evaluating the endpoint rule sets that
 * botocore ships (data/dynamodb/2012-08-10 and data/sts/2011-06-15
 * endpoint-rule-set-1.json with data/partitions.json, through
 * botocore.endpoint_provider.EndpointProvider, STS with its regional
 * endpoints) for every combination of FIPS and dual-stack; NULL marks a
 * combination the rules refuse.  The second covers the partitions that
 * botocore 1.29 does not list yet (ISO-E, ISO-F, the European Sovereign
 * Cloud), pattern matching at its edges, and signing regions.
 */
#include "endpoint.h"
#include "unit.h"

#include <stdbool.h>

typedef struct
{
	const char *service;
	const char *region;
	bool		fips;
	bool		dualstack;
	const char *want;			/* NULL: refused */
} case_t;

static const case_t from_botocore[] = {
	{"dynamodb", "us-east-1", false, false, "https://dynamodb.us-east-1.amazonaws.com"},
	{"dynamodb", "us-east-1", false, true, "https://dynamodb.us-east-1.api.aws"},
	{"dynamodb", "us-east-1", true, false, "https://dynamodb-fips.us-east-1.amazonaws.com"},
	{"dynamodb", "us-east-1", true, true, "https://dynamodb-fips.us-east-1.api.aws"},
	{"dynamodb", "eu-west-1", false, false, "https://dynamodb.eu-west-1.amazonaws.com"},
	{"dynamodb", "eu-west-1", false, true, "https://dynamodb.eu-west-1.api.aws"},
	{"dynamodb", "eu-west-1", true, false, "https://dynamodb-fips.eu-west-1.amazonaws.com"},
	{"dynamodb", "eu-west-1", true, true, "https://dynamodb-fips.eu-west-1.api.aws"},
	{"dynamodb", "il-central-1", false, false, "https://dynamodb.il-central-1.amazonaws.com"},
	{"dynamodb", "il-central-1", false, true, "https://dynamodb.il-central-1.api.aws"},
	{"dynamodb", "il-central-1", true, false, "https://dynamodb-fips.il-central-1.amazonaws.com"},
	{"dynamodb", "il-central-1", true, true, "https://dynamodb-fips.il-central-1.api.aws"},
	{"dynamodb", "cn-north-1", false, false, "https://dynamodb.cn-north-1.amazonaws.com.cn"},
	{"dynamodb", "cn-north-1", false, true, "https://dynamodb.cn-north-1.api.amazonwebservices.com.cn"},
	{"dynamodb", "cn-north-1", true, false, "https://dynamodb-fips.cn-north-1.amazonaws.com.cn"},
	{"dynamodb", "cn-north-1", true, true, "https://dynamodb-fips.cn-north-1.api.amazonwebservices.com.cn"},
	{"dynamodb", "cn-northwest-1", false, false, "https://dynamodb.cn-northwest-1.amazonaws.com.cn"},
	{"dynamodb", "cn-northwest-1", false, true, "https://dynamodb.cn-northwest-1.api.amazonwebservices.com.cn"},
	{"dynamodb", "cn-northwest-1", true, false, "https://dynamodb-fips.cn-northwest-1.amazonaws.com.cn"},
	{"dynamodb", "cn-northwest-1", true, true, "https://dynamodb-fips.cn-northwest-1.api.amazonwebservices.com.cn"},
	{"dynamodb", "us-gov-west-1", false, false, "https://dynamodb.us-gov-west-1.amazonaws.com"},
	{"dynamodb", "us-gov-west-1", false, true, "https://dynamodb.us-gov-west-1.api.aws"},
	{"dynamodb", "us-gov-west-1", true, false, "https://dynamodb.us-gov-west-1.amazonaws.com"},
	{"dynamodb", "us-gov-west-1", true, true, "https://dynamodb-fips.us-gov-west-1.api.aws"},
	{"dynamodb", "us-gov-east-1", false, false, "https://dynamodb.us-gov-east-1.amazonaws.com"},
	{"dynamodb", "us-gov-east-1", false, true, "https://dynamodb.us-gov-east-1.api.aws"},
	{"dynamodb", "us-gov-east-1", true, false, "https://dynamodb.us-gov-east-1.amazonaws.com"},
	{"dynamodb", "us-gov-east-1", true, true, "https://dynamodb-fips.us-gov-east-1.api.aws"},
	{"dynamodb", "us-iso-east-1", false, false, "https://dynamodb.us-iso-east-1.c2s.ic.gov"},
	{"dynamodb", "us-iso-east-1", false, true, NULL},
	{"dynamodb", "us-iso-east-1", true, false, "https://dynamodb-fips.us-iso-east-1.c2s.ic.gov"},
	{"dynamodb", "us-iso-east-1", true, true, NULL},
	{"dynamodb", "us-isob-east-1", false, false, "https://dynamodb.us-isob-east-1.sc2s.sgov.gov"},
	{"dynamodb", "us-isob-east-1", false, true, NULL},
	{"dynamodb", "us-isob-east-1", true, false, "https://dynamodb-fips.us-isob-east-1.sc2s.sgov.gov"},
	{"dynamodb", "us-isob-east-1", true, true, NULL},
	{"dynamodb", "local", false, false, "http://localhost:8000"},
	{"dynamodb", "local", false, true, "https://dynamodb.local.api.aws"},
	{"dynamodb", "local", true, false, "https://dynamodb-fips.local.amazonaws.com"},
	{"dynamodb", "local", true, true, "https://dynamodb-fips.local.api.aws"},
	{"dynamodb", "aws-global", false, false, "https://dynamodb.aws-global.amazonaws.com"},
	{"dynamodb", "aws-global", false, true, "https://dynamodb.aws-global.api.aws"},
	{"dynamodb", "aws-global", true, false, "https://dynamodb-fips.aws-global.amazonaws.com"},
	{"dynamodb", "aws-global", true, true, "https://dynamodb-fips.aws-global.api.aws"},
	{"dynamodb", "xx-newregion-9", false, false, "https://dynamodb.xx-newregion-9.amazonaws.com"},
	{"dynamodb", "xx-newregion-9", false, true, "https://dynamodb.xx-newregion-9.api.aws"},
	{"dynamodb", "xx-newregion-9", true, false, "https://dynamodb-fips.xx-newregion-9.amazonaws.com"},
	{"dynamodb", "xx-newregion-9", true, true, "https://dynamodb-fips.xx-newregion-9.api.aws"},
	{"dynamodb", "aws-cn-global", false, false, "https://dynamodb.aws-cn-global.amazonaws.com.cn"},
	{"dynamodb", "aws-cn-global", false, true, "https://dynamodb.aws-cn-global.api.amazonwebservices.com.cn"},
	{"dynamodb", "aws-cn-global", true, false, "https://dynamodb-fips.aws-cn-global.amazonaws.com.cn"},
	{"dynamodb", "aws-cn-global", true, true, "https://dynamodb-fips.aws-cn-global.api.amazonwebservices.com.cn"},
	{"dynamodb", "ap-southeast-5", false, false, "https://dynamodb.ap-southeast-5.amazonaws.com"},
	{"dynamodb", "ap-southeast-5", false, true, "https://dynamodb.ap-southeast-5.api.aws"},
	{"dynamodb", "ap-southeast-5", true, false, "https://dynamodb-fips.ap-southeast-5.amazonaws.com"},
	{"dynamodb", "ap-southeast-5", true, true, "https://dynamodb-fips.ap-southeast-5.api.aws"},
	{"sts", "us-east-1", false, false, "https://sts.us-east-1.amazonaws.com"},
	{"sts", "us-east-1", false, true, "https://sts.us-east-1.api.aws"},
	{"sts", "us-east-1", true, false, "https://sts-fips.us-east-1.amazonaws.com"},
	{"sts", "us-east-1", true, true, "https://sts-fips.us-east-1.api.aws"},
	{"sts", "eu-west-1", false, false, "https://sts.eu-west-1.amazonaws.com"},
	{"sts", "eu-west-1", false, true, "https://sts.eu-west-1.api.aws"},
	{"sts", "eu-west-1", true, false, "https://sts-fips.eu-west-1.amazonaws.com"},
	{"sts", "eu-west-1", true, true, "https://sts-fips.eu-west-1.api.aws"},
	{"sts", "il-central-1", false, false, "https://sts.il-central-1.amazonaws.com"},
	{"sts", "il-central-1", false, true, "https://sts.il-central-1.api.aws"},
	{"sts", "il-central-1", true, false, "https://sts-fips.il-central-1.amazonaws.com"},
	{"sts", "il-central-1", true, true, "https://sts-fips.il-central-1.api.aws"},
	{"sts", "cn-north-1", false, false, "https://sts.cn-north-1.amazonaws.com.cn"},
	{"sts", "cn-north-1", false, true, "https://sts.cn-north-1.api.amazonwebservices.com.cn"},
	{"sts", "cn-north-1", true, false, "https://sts-fips.cn-north-1.amazonaws.com.cn"},
	{"sts", "cn-north-1", true, true, "https://sts-fips.cn-north-1.api.amazonwebservices.com.cn"},
	{"sts", "cn-northwest-1", false, false, "https://sts.cn-northwest-1.amazonaws.com.cn"},
	{"sts", "cn-northwest-1", false, true, "https://sts.cn-northwest-1.api.amazonwebservices.com.cn"},
	{"sts", "cn-northwest-1", true, false, "https://sts-fips.cn-northwest-1.amazonaws.com.cn"},
	{"sts", "cn-northwest-1", true, true, "https://sts-fips.cn-northwest-1.api.amazonwebservices.com.cn"},
	{"sts", "us-gov-west-1", false, false, "https://sts.us-gov-west-1.amazonaws.com"},
	{"sts", "us-gov-west-1", false, true, "https://sts.us-gov-west-1.api.aws"},
	{"sts", "us-gov-west-1", true, false, "https://sts.us-gov-west-1.amazonaws.com"},
	{"sts", "us-gov-west-1", true, true, "https://sts-fips.us-gov-west-1.api.aws"},
	{"sts", "us-gov-east-1", false, false, "https://sts.us-gov-east-1.amazonaws.com"},
	{"sts", "us-gov-east-1", false, true, "https://sts.us-gov-east-1.api.aws"},
	{"sts", "us-gov-east-1", true, false, "https://sts.us-gov-east-1.amazonaws.com"},
	{"sts", "us-gov-east-1", true, true, "https://sts-fips.us-gov-east-1.api.aws"},
	{"sts", "us-iso-east-1", false, false, "https://sts.us-iso-east-1.c2s.ic.gov"},
	{"sts", "us-iso-east-1", false, true, NULL},
	{"sts", "us-iso-east-1", true, false, "https://sts-fips.us-iso-east-1.c2s.ic.gov"},
	{"sts", "us-iso-east-1", true, true, NULL},
	{"sts", "us-isob-east-1", false, false, "https://sts.us-isob-east-1.sc2s.sgov.gov"},
	{"sts", "us-isob-east-1", false, true, NULL},
	{"sts", "us-isob-east-1", true, false, "https://sts-fips.us-isob-east-1.sc2s.sgov.gov"},
	{"sts", "us-isob-east-1", true, true, NULL},
	{"sts", "local", false, false, "https://sts.local.amazonaws.com"},
	{"sts", "local", false, true, "https://sts.local.api.aws"},
	{"sts", "local", true, false, "https://sts-fips.local.amazonaws.com"},
	{"sts", "local", true, true, "https://sts-fips.local.api.aws"},
	{"sts", "aws-global", false, false, "https://sts.amazonaws.com"},
	{"sts", "aws-global", false, true, "https://sts.aws-global.api.aws"},
	{"sts", "aws-global", true, false, "https://sts-fips.aws-global.amazonaws.com"},
	{"sts", "aws-global", true, true, "https://sts-fips.aws-global.api.aws"},
	{"sts", "xx-newregion-9", false, false, "https://sts.xx-newregion-9.amazonaws.com"},
	{"sts", "xx-newregion-9", false, true, "https://sts.xx-newregion-9.api.aws"},
	{"sts", "xx-newregion-9", true, false, "https://sts-fips.xx-newregion-9.amazonaws.com"},
	{"sts", "xx-newregion-9", true, true, "https://sts-fips.xx-newregion-9.api.aws"},
	{"sts", "aws-cn-global", false, false, "https://sts.aws-cn-global.amazonaws.com.cn"},
	{"sts", "aws-cn-global", false, true, "https://sts.aws-cn-global.api.amazonwebservices.com.cn"},
	{"sts", "aws-cn-global", true, false, "https://sts-fips.aws-cn-global.amazonaws.com.cn"},
	{"sts", "aws-cn-global", true, true, "https://sts-fips.aws-cn-global.api.amazonwebservices.com.cn"},
	{"sts", "ap-southeast-5", false, false, "https://sts.ap-southeast-5.amazonaws.com"},
	{"sts", "ap-southeast-5", false, true, "https://sts.ap-southeast-5.api.aws"},
	{"sts", "ap-southeast-5", true, false, "https://sts-fips.ap-southeast-5.amazonaws.com"},
	{"sts", "ap-southeast-5", true, true, "https://sts-fips.ap-southeast-5.api.aws"},
};

static const case_t by_hand[] = {
	{"dynamodb", "eu-isoe-west-1", false, false, "https://dynamodb.eu-isoe-west-1.cloud.adc-e.uk"},
	{"dynamodb", "eu-isoe-west-1", true, false, "https://dynamodb-fips.eu-isoe-west-1.cloud.adc-e.uk"},
	{"dynamodb", "eu-isoe-west-1", false, true, NULL},
	{"dynamodb", "us-isof-south-1", false, false, "https://dynamodb.us-isof-south-1.csp.hci.ic.gov"},
	{"sts", "us-isof-east-1", false, false, "https://sts.us-isof-east-1.csp.hci.ic.gov"},
	{"dynamodb", "eusc-de-east-1", false, false, "https://dynamodb.eusc-de-east-1.amazonaws.eu"},
	/* a new aws region, and names that only look like other partitions */
	{"dynamodb", "mx-central-1", false, false, "https://dynamodb.mx-central-1.amazonaws.com"},
	{"dynamodb", "us-gov-1", false, false, "https://dynamodb.us-gov-1.amazonaws.com"},
	{"dynamodb", "cn-north-x", false, true, "https://dynamodb.cn-north-x.api.aws"},
	{"dynamodb", "cn-north-12", false, true, "https://dynamodb.cn-north-12.api.amazonwebservices.com.cn"},
	{"dynamodb", "us-isob-east-1", false, false, "https://dynamodb.us-isob-east-1.sc2s.sgov.gov"},
	{"dynamodb", "us-iso-b-east-1", false, false, "https://dynamodb.us-iso-b-east-1.amazonaws.com"},
	{"sts", "aws-us-gov-global", false, false, "https://sts.aws-us-gov-global.amazonaws.com"},
};

static void
run(const case_t *c, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		char		buf[256];
		const char *err = NULL;
		int			rc = ddb_endpoint_url(c[i].service, c[i].region, c[i].fips,
										  c[i].dualstack, buf, sizeof(buf), &err);

		if (c[i].want == NULL)
		{
			CHECK(rc == -1 && err != NULL);
			if (rc == 0)
				fprintf(stderr, "  %s %s fips=%d dualstack=%d: got %s, want a refusal\n",
						c[i].service, c[i].region, c[i].fips, c[i].dualstack, buf);
		}
		else
		{
			CHECK(rc == 0);
			if (rc == 0)
				CHECK_STR(buf, c[i].want);
		}
	}
}

int
main(void)
{
	char		small[20];
	const char *err;

	run(from_botocore, (int) (sizeof(from_botocore) / sizeof(from_botocore[0])));
	run(by_hand, (int) (sizeof(by_hand) / sizeof(by_hand[0])));

	CHECK_STR(ddb_region_partition("cn-northwest-1")->name, "aws-cn");
	CHECK_STR(ddb_region_partition("us-gov-east-1")->name, "aws-us-gov");
	CHECK_STR(ddb_region_partition("us-iso-west-1")->name, "aws-iso");
	CHECK_STR(ddb_region_partition("us-isob-east-1")->name, "aws-iso-b");
	CHECK_STR(ddb_region_partition("eu-isoe-west-1")->name, "aws-iso-e");
	CHECK_STR(ddb_region_partition("us-isof-south-1")->name, "aws-iso-f");
	CHECK_STR(ddb_region_partition("eu-central-2")->name, "aws");
	CHECK_STR(ddb_region_partition("whatever")->name, "aws");
	CHECK_STR(ddb_region_partition("")->name, "aws");
	CHECK_STR(ddb_region_partition("us-east-")->name, "aws");

	CHECK_STR(ddb_signing_region("local"), "us-east-1");
	CHECK_STR(ddb_signing_region("aws-global"), "us-east-1");
	CHECK_STR(ddb_signing_region("eu-west-3"), "eu-west-3");

	/* too small a buffer is an error, not a truncated URL */
	CHECK(ddb_endpoint_url("dynamodb", "eu-west-1", false, false, small, sizeof(small), &err) == -1);
	CHECK(err != NULL);

	UNIT_DONE("endpoint");
}
