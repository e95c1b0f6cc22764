/*
 * test_profile_core.c
 *	  Unit tests of src/profile_core.c: reading AWS config and credentials
 *	  files, resolving a profile to a plan (static keys, credential_process,
 *	  web identity, credential_source, role chains), the errors, and the
 *	  credential_process command line split.  The expected splits were
 *	  taken from Python's shlex.split, which the AWS CLI uses.
 */
#include <stdlib.h>

#include "profile_core.h"
#include "unit.h"

static ddb_profile_plan plan;
static char err[512];

static int
resolve(const char *config, const char *creds, const char *profile)
{
	ddb_profile_plan_free(&plan);
	return ddb_profile_resolve(config, config ? strlen(config) : 0,
							   creds, creds ? strlen(creds) : 0,
							   profile, &plan, err, sizeof(err));
}

static void
test_static(void)
{
	const char *config =
		"# a comment\n"
		"[default]\n"
		"region = eu-west-1\n"
		"aws_access_key_id = AKIDCONFIG\n"
		"aws_secret_access_key = config-secret\n"
		"\n"
		"[profile dev]\n"
		"AWS_Access_Key_Id: AKIDDEV\n"
		"aws_secret_access_key=dev-secret=with=equals\n"
		"aws_session_token = dev-token\n"
		"s3 =\n"
		"    max_concurrent_requests = 20\n"
		"[profile  spaced ]\r\n"
		"aws_access_key_id = AKIDSPACED\r\n"
		"aws_secret_access_key = spaced-secret\r\n"
		"[profile \"quoted name\"]\n"
		"aws_access_key_id = AKIDQUOTED\n"
		"aws_secret_access_key = quoted-secret\n"
		"[profile two words]\n"
		"aws_access_key_id = AKIDTWO\n"
		"aws_secret_access_key = two-secret\n"
		"[profileless]\n"
		"aws_access_key_id = AKIDNOT\n"
		"aws_secret_access_key = not-secret\n";
	const char *creds =
		"[default]\n"
		"aws_access_key_id = AKIDCREDS\n"
		"aws_secret_access_key = creds-secret\n"
		"; the credentials file names profiles without \"profile\"\n"
		"[profile dev]\n"
		"aws_access_key_id = AKIDWRONG\n"
		"aws_secret_access_key = wrong\n"
		"[legacy]\n"
		"aws_access_key_id = AKIDLEGACY\n"
		"aws_secret_access_key = legacy-secret\n"
		"aws_security_token = legacy-token\n";

	/* the credentials file wins over the config file */
	CHECK(resolve(config, creds, "default") == 0);
	CHECK(plan.base == DDB_PROFILE_STATIC);
	CHECK_STR(plan.access_key_id, "AKIDCREDS");
	CHECK_STR(plan.secret_access_key, "creds-secret");
	CHECK(plan.session_token == NULL);
	CHECK(plan.nroles == 0);
	CHECK(resolve(config, NULL, "default") == 0);
	CHECK_STR(plan.access_key_id, "AKIDCONFIG");

	/* keys are case-insensitive, ':' delimits too, the first delimiter counts */
	CHECK(resolve(config, creds, "dev") == 0);
	CHECK_STR(plan.access_key_id, "AKIDDEV");
	CHECK_STR(plan.secret_access_key, "dev-secret=with=equals");
	CHECK_STR(plan.session_token, "dev-token");
	CHECK_STR(plan.base_profile, "dev");

	CHECK(resolve(config, creds, "spaced") == 0);
	CHECK_STR(plan.secret_access_key, "spaced-secret");
	CHECK(resolve(config, creds, "quoted name") == 0);
	CHECK_STR(plan.access_key_id, "AKIDQUOTED");
	CHECK(resolve(config, creds, "legacy") == 0);
	CHECK_STR(plan.session_token, "legacy-token");

	/* "[profile two words]" and "[profileless]" are no profiles of the config file */
	CHECK(resolve(config, creds, "two words") == -1);
	CHECK(strstr(err, "\"two words\" is not in the AWS config or credentials file") != NULL);
	CHECK(resolve(config, creds, "profileless") == -1);
	CHECK(resolve(config, creds, "nope") == -1);
	CHECK(resolve(NULL, NULL, "default") == -1);
	CHECK(resolve(config, creds, "") == -1);

	/* a byte-order mark and lines before any section are skipped */
	CHECK(resolve("\xEF\xBB\xBF" "stray = 1\n[default]\naws_access_key_id=A\naws_secret_access_key=B", NULL, "default") == 0);
	CHECK_STR(plan.secret_access_key, "B");

	/* half a key pair is an error naming the missing half, not the value */
	CHECK(resolve("[default]\naws_access_key_id = AKIDHALF\n", NULL, "default") == -1);
	CHECK(strstr(err, "has aws_access_key_id but no aws_secret_access_key") != NULL);
	CHECK(resolve("[default]\naws_secret_access_key = half-secret\n", NULL, "default") == -1);
	CHECK(strstr(err, "half-secret") == NULL);
	CHECK(resolve("[default]\nregion = us-east-1\n", NULL, "default") == -1);
	CHECK(strstr(err, "has no credentials") != NULL);
}

static void
test_process_and_order(void)
{
	const char *config =
		"[profile proc]\n"
		"credential_process = /usr/bin/aws configure export-credentials --profile sso --format process\n"
		"[profile both]\n"
		"credential_process = /bin/creds\n"
		"aws_access_key_id = AKIDCONF\n"
		"aws_secret_access_key = conf-secret\n"
		"[profile cont]\n"
		"credential_process = /bin/creds\n"
		"  --flag\n"
		"# comment lines do not end a value\n"
		"   --more\n"
		"\n"
		"   --after-blank\n"
		"region = x\n";
	const char *creds =
		"[both]\n"
		"aws_access_key_id = AKIDFILE\n"
		"aws_secret_access_key = file-secret\n";

	CHECK(resolve(config, NULL, "proc") == 0);
	CHECK(plan.base == DDB_PROFILE_PROCESS);
	CHECK_STR(plan.process, "/usr/bin/aws configure export-credentials --profile sso --format process");
	/* keys of the credentials file, then credential_process, then keys of the config file */
	CHECK(resolve(config, NULL, "both") == 0);
	CHECK(plan.base == DDB_PROFILE_PROCESS);
	CHECK(resolve(config, creds, "both") == 0);
	CHECK(plan.base == DDB_PROFILE_STATIC);
	CHECK_STR(plan.access_key_id, "AKIDFILE");
	/* indented lines continue a value */
	CHECK(resolve(config, NULL, "cont") == 0);
	CHECK_STR(plan.process, "/bin/creds\n--flag\n--more\n--after-blank");
}

static void
test_roles(void)
{
	const char *config =
		"[profile base]\n"
		"aws_access_key_id = AKIDBASE\n"
		"aws_secret_access_key = base-secret\n"
		"[profile reader]\n"
		"role_arn = arn:aws:iam::111111111111:role/reader\n"
		"source_profile = base\n"
		"external_id = ext-1\n"
		"role_session_name = sess-1\n"
		"duration_seconds = 1800\n"
		"[profile cross]\n"
		"role_arn = arn:aws:iam::222222222222:role/cross\n"
		"source_profile = reader\n"
		"[profile on_instance]\n"
		"role_arn = arn:aws:iam::333333333333:role/x\n"
		"credential_source = Ec2InstanceMetadata\n"
		"[profile on_env]\n"
		"role_arn = arn:aws:iam::333333333333:role/y\n"
		"credential_source = Environment\n"
		"[profile on_ecs]\n"
		"role_arn = arn:aws:iam::333333333333:role/z\n"
		"credential_source = EcsContainer\n"
		"[profile self]\n"
		"role_arn = arn:aws:iam::444444444444:role/self\n"
		"source_profile = self\n"
		"aws_access_key_id = AKIDSELF\n"
		"aws_secret_access_key = self-secret\n"
		"[profile keyed_source]\n"
		"role_arn = arn:aws:iam::555555555555:role/ignored\n"
		"aws_access_key_id = AKIDKEYED\n"
		"aws_secret_access_key = keyed-secret\n"
		"[profile uses_keyed]\n"
		"role_arn = arn:aws:iam::555555555555:role/used\n"
		"source_profile = keyed_source\n"
		"[profile web]\n"
		"role_arn = arn:aws:iam::666666666666:role/web\n"
		"web_identity_token_file = /var/run/token\n"
		"role_session_name = websess\n"
		"[profile on_web]\n"
		"role_arn = arn:aws:iam::666666666666:role/after-web\n"
		"source_profile = web\n"
		"[profile proc_src]\n"
		"credential_process = /bin/creds\n"
		"[profile on_proc]\n"
		"role_arn = arn:aws:iam::777777777777:role/p\n"
		"source_profile = proc_src\n";

	CHECK(resolve(config, NULL, "reader") == 0);
	CHECK(plan.base == DDB_PROFILE_STATIC);
	CHECK_STR(plan.base_profile, "base");
	CHECK_STR(plan.access_key_id, "AKIDBASE");
	CHECK(plan.nroles == 1);
	CHECK_STR(plan.roles[0].role_arn, "arn:aws:iam::111111111111:role/reader");
	CHECK_STR(plan.roles[0].external_id, "ext-1");
	CHECK_STR(plan.roles[0].session_name, "sess-1");
	CHECK(plan.roles[0].duration_seconds == 1800);

	/* a chain: base's keys assume reader, which assumes cross */
	CHECK(resolve(config, NULL, "cross") == 0);
	CHECK(plan.nroles == 2);
	CHECK_STR(plan.roles[0].profile, "reader");
	CHECK_STR(plan.roles[1].profile, "cross");
	CHECK(plan.roles[1].external_id == NULL);
	CHECK(plan.roles[1].duration_seconds == 0);

	CHECK(resolve(config, NULL, "on_instance") == 0);
	CHECK(plan.base == DDB_PROFILE_INSTANCE && plan.nroles == 1);
	CHECK(resolve(config, NULL, "on_env") == 0);
	CHECK(plan.base == DDB_PROFILE_ENVIRONMENT);
	CHECK(resolve(config, NULL, "on_ecs") == 0);
	CHECK(plan.base == DDB_PROFILE_CONTAINER);

	/* a profile may use its own keys to assume its own role */
	CHECK(resolve(config, NULL, "self") == 0);
	CHECK(plan.base == DDB_PROFILE_STATIC && plan.nroles == 1);
	CHECK_STR(plan.access_key_id, "AKIDSELF");

	/* a source profile's own keys win over its role_arn */
	CHECK(resolve(config, NULL, "uses_keyed") == 0);
	CHECK(plan.nroles == 1);
	CHECK_STR(plan.access_key_id, "AKIDKEYED");
	CHECK_STR(plan.roles[0].role_arn, "arn:aws:iam::555555555555:role/used");
	/* at the top, its role_arn without a source is an error */
	CHECK(resolve(config, NULL, "keyed_source") == -1);
	CHECK(strstr(err, "neither source_profile nor credential_source") != NULL);

	/* web identity, and a role on top of it */
	CHECK(resolve(config, NULL, "web") == 0);
	CHECK(plan.base == DDB_PROFILE_WEB_IDENTITY && plan.nroles == 0);
	CHECK_STR(plan.web_identity_token_file, "/var/run/token");
	CHECK_STR(plan.web_role_arn, "arn:aws:iam::666666666666:role/web");
	CHECK_STR(plan.web_session_name, "websess");
	CHECK(resolve(config, NULL, "on_web") == 0);
	CHECK(plan.base == DDB_PROFILE_WEB_IDENTITY && plan.nroles == 1);

	CHECK(resolve(config, NULL, "on_proc") == 0);
	CHECK(plan.base == DDB_PROFILE_PROCESS && plan.nroles == 1);
}

static void
test_role_errors(void)
{
	const char *config =
		"[profile loop_a]\nrole_arn = arn:a\nsource_profile = loop_b\n"
		"[profile loop_b]\nrole_arn = arn:b\nsource_profile = loop_a\n"
		"[profile self_nokeys]\nrole_arn = arn:s\nsource_profile = self_nokeys\n"
		"[profile both]\nrole_arn = arn:x\nsource_profile = loop_a\ncredential_source = Environment\n"
		"[profile badsrc]\nrole_arn = arn:x\ncredential_source = Ec2Metadata\n"
		"[profile missing]\nrole_arn = arn:x\nsource_profile = ghost\n"
		"[profile mfa]\nrole_arn = arn:x\ncredential_source = Environment\nmfa_serial = arn:mfa\n"
		"[profile dur]\nrole_arn = arn:x\ncredential_source = Environment\nduration_seconds = 60\n"
		"[profile durtext]\nrole_arn = arn:x\ncredential_source = Environment\nduration_seconds = 1h\n"
		"[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n"
		"[profile webnorole]\nweb_identity_token_file = /t\n"
		"[profile emptyarn]\nrole_arn =\ncredential_source = Environment\n";
	char		deep[4096];
	int			i;
	size_t		n = 0;

	CHECK(resolve(config, NULL, "loop_a") == -1);
	CHECK(strstr(err, "leads back to profile") != NULL);
	CHECK(resolve(config, NULL, "self_nokeys") == -1);
	CHECK(resolve(config, NULL, "both") == -1);
	CHECK(strstr(err, "both source_profile and credential_source") != NULL);
	CHECK(resolve(config, NULL, "badsrc") == -1);
	CHECK(strstr(err, "must be Environment, Ec2InstanceMetadata or EcsContainer") != NULL);
	CHECK(resolve(config, NULL, "missing") == -1);
	CHECK(strstr(err, "source_profile \"ghost\" of profile \"missing\" does not exist") != NULL);
	CHECK(resolve(config, NULL, "mfa") == -1);
	CHECK(strstr(err, "mfa_serial") != NULL);
	CHECK(resolve(config, NULL, "dur") == -1);
	CHECK(strstr(err, "between 900 and 43200") != NULL);
	CHECK(resolve(config, NULL, "durtext") == -1);
	CHECK(resolve(config, NULL, "sso") == -1);
	CHECK(strstr(err, "export-credentials --profile sso --format process") != NULL);
	CHECK(resolve(config, NULL, "webnorole") == -1);
	CHECK(resolve(config, NULL, "emptyarn") == -1);

	/* a chain longer than the limit is refused, not followed forever */
	n += snprintf(deep + n, sizeof(deep) - n,
				  "[profile p0]\naws_access_key_id = A\naws_secret_access_key = B\n");
	for (i = 1; i <= DDB_PROFILE_MAX_ROLES + 1; i++)
		n += snprintf(deep + n, sizeof(deep) - n,
					  "[profile p%d]\nrole_arn = arn:%d\nsource_profile = p%d\n", i, i, i - 1);
	CHECK(resolve(deep, NULL, "p8") == 0);
	CHECK(plan.nroles == 8);
	CHECK_STR(plan.roles[0].role_arn, "arn:1");
	CHECK_STR(plan.roles[7].role_arn, "arn:8");
	CHECK(resolve(deep, NULL, "p9") == -1);
	CHECK(strstr(err, "chains more than") != NULL);
}

static void
check_split(const char *cmd, const char *const *want, int nwant)
{
	int			argc = -1;
	char		e[128];
	char	  **argv = ddb_shell_split(cmd, &argc, e, sizeof(e));
	int			i;

	CHECK(argv != NULL);
	if (argv == NULL)
	{
		fprintf(stderr, "  split of [%s] failed: %s\n", cmd, e);
		return;
	}
	CHECK(argc == nwant);
	for (i = 0; i < argc && i < nwant; i++)
		CHECK_STR(argv[i], want[i]);
	CHECK(argv[argc] == NULL);
	ddb_shell_split_free(argv);
}

static void
test_shell_split(void)
{
	static const char *const w1[] = {"/usr/bin/aws", "configure", "export-credentials",
	"--profile", "dev", "--format", "process"};
	static const char *const w2[] = {"/opt/my tools/get creds", "--role", "a b"};
	static const char *const w3[] = {"a b", "c"};
	static const char *const w4[] = {"onetwothree"};
	static const char *const w5[] = {"x", "", "y"};
	static const char *const w6[] = {"p", "a\"b", "c\\d", "e\\nf"};
	static const char *const w7[] = {"lead", "trail"};
	static const char *const w8[] = {"tab", "sep", "newline"};
	static const char *const w9[] = {"\"notquoted"};
	static const char *const w10[] = {"mixeddqsqplain"};
	static const char *const bad[] = {"\"open", "'open", "trail\\", "", "   "};
	size_t		i;

	check_split("/usr/bin/aws configure export-credentials --profile dev --format process", w1, 7);
	check_split("\"/opt/my tools/get creds\" --role 'a b'", w2, 3);
	check_split("a\\ b c", w3, 2);
	check_split("one'two'three", w4, 1);
	check_split("x \"\" y", w5, 3);
	check_split("x '' y", w5, 3);
	check_split("p \"a\\\"b\" \"c\\\\d\" \"e\\nf\"", w6, 4);
	check_split("  lead   trail  ", w7, 2);
	check_split("tab\tsep\nnewline", w8, 3);
	check_split("\\\"notquoted", w9, 1);
	check_split("mixed\"dq\"'sq'plain", w10, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		int			argc = 7;
		char		e[128];

		CHECK(ddb_shell_split(bad[i], &argc, e, sizeof(e)) == NULL);
		CHECK(argc == 0 && e[0] != '\0');
	}
}

int
main(void)
{
	test_static();
	test_process_and_order();
	test_roles();
	test_role_errors();
	test_shell_split();
	ddb_profile_plan_free(&plan);
	UNIT_DONE("profile_core");
}
