/*-------------------------------------------------------------------------
 * profile_core.c
 *	  AWS shared config and credentials files: which credentials a named
 *	  profile stands for, and the command line of a credential_process.
 *
 * The files are INI text as Python's configparser reads it, which is what
 * the AWS CLI uses: "[section]" headers, "key = value" or "key: value"
 * lines (keys case-insensitive, the first '=' or ':' delimits), whole-line
 * comments starting with '#' or ';', indented continuation lines (blank
 * lines and comments in between do not end a value), no inline comments.
 * In the config file a profile is "[default]" or "[profile NAME]"; in the
 * credentials file it is "[NAME]".  Settings of the credentials file win
 * over the config file's for the same profile.
 * Anything else (other sections, lines before the first section, lines
 * that are not settings) is skipped rather than refused: a file that the
 * CLI reads is read here too.
 *
 * A profile resolves as in botocore:
 *	  - with role_arn (and no web_identity_token_file): assume that role with
 *		the credentials of source_profile, or of credential_source
 *		(Environment, Ec2InstanceMetadata, EcsContainer); a source profile
 *		that has keys of its own, or no role_arn, is read as a plain
 *		profile, otherwise its role is assumed first (a chain);
 *	  - otherwise, in this order: web_identity_token_file (with role_arn),
 *		keys from the credentials file, credential_process, keys from the
 *		config file.
 * SSO settings and mfa_serial are refused with a message saying why: the
 * first need an interactive login, the second a one-time code.
 *
 * Pure C: no PostgreSQL headers, no I/O.  Error messages name profiles and
 * settings, never a value.
 *-------------------------------------------------------------------------
 */
#include "profile_core.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One setting: the profile it belongs to, the key (lower case), the value. */
typedef struct ini_entry
{
	char	   *profile;
	char	   *key;
	char	   *value;
	bool		from_credentials;	/* read from the credentials file */
} ini_entry;

typedef struct ini_set
{
	ini_entry  *e;
	int			n;
	int			cap;
	bool		oom;
} ini_set;

static void
wipe_free(char *s)
{
	if (s)
	{
		memset(s, 0, strlen(s));
		free(s);
	}
}

static char *
dup_range(const char *s, size_t n)
{
	char	   *r = malloc(n + 1);

	if (r == NULL)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static char *
dup_str(const char *s)
{
	return s ? dup_range(s, strlen(s)) : NULL;
}

#if defined(__GNUC__)
static void set_err(char *err, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
#endif

static void
set_err(char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

static void
ini_add(ini_set *set, const char *profile, const char *key, size_t keylen,
		const char *value, size_t valuelen, bool from_credentials)
{
	ini_entry  *e;
	size_t		i;

	if (set->oom)
		return;
	if (set->n == set->cap)
	{
		int			cap = set->cap ? set->cap * 2 : 32;
		ini_entry  *p = realloc(set->e, sizeof(ini_entry) * cap);

		if (p == NULL)
		{
			set->oom = true;
			return;
		}
		set->e = p;
		set->cap = cap;
	}
	e = &set->e[set->n];
	e->profile = dup_str(profile);
	e->key = dup_range(key, keylen);
	e->value = dup_range(value, valuelen);
	e->from_credentials = from_credentials;
	if (e->profile == NULL || e->key == NULL || e->value == NULL)
	{
		free(e->profile);
		free(e->key);
		wipe_free(e->value);
		set->oom = true;
		return;
	}
	for (i = 0; i < keylen; i++)
		e->key[i] = (char) tolower((unsigned char) e->key[i]);
	set->n++;
}

/* Appends a continuation line to the last setting's value. */
static void
ini_continue(ini_set *set, const char *text, size_t len)
{
	ini_entry  *e;
	size_t		old;
	char	   *p;

	if (set->oom || set->n == 0)
		return;
	e = &set->e[set->n - 1];
	old = strlen(e->value);
	p = malloc(old + len + 2);
	if (p == NULL)
	{
		set->oom = true;
		return;
	}
	memcpy(p, e->value, old);
	p[old] = '\n';
	memcpy(p + old + 1, text, len);
	p[old + len + 1] = '\0';
	wipe_free(e->value);
	e->value = p;
}

static void
ini_free(ini_set *set)
{
	int			i;

	for (i = 0; i < set->n; i++)
	{
		free(set->e[i].profile);
		free(set->e[i].key);
		wipe_free(set->e[i].value);
	}
	free(set->e);
	memset(set, 0, sizeof(*set));
}

/*
 * The profile a section header of the config file stands for, or NULL:
 * "default", or "profile NAME" (NAME possibly in double quotes).
 */
static char *
config_section_profile(const char *h, size_t n)
{
	const char *p;
	const char *end = h + n;

	if (n == 7 && memcmp(h, "default", 7) == 0)
		return dup_range(h, n);
	if (n < 8 || memcmp(h, "profile", 7) != 0 || !is_space(h[7]))
		return NULL;
	p = h + 8;
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	if (end - p >= 2 && *p == '"' && end[-1] == '"')
	{
		p++;
		end--;
	}
	else if (memchr(p, ' ', end - p) || memchr(p, '\t', end - p))
		return NULL;			/* more than one word: not a profile */
	if (end == p || memchr(p, '"', end - p))
		return NULL;
	return dup_range(p, end - p);
}

/* Reads one file's text into set. */
static void
ini_parse(ini_set *set, const char *text, size_t len, bool is_credentials)
{
	const char *p = text;
	const char *end = text + len;
	char	   *profile = NULL;
	bool		have_key = false;	/* a setting continuation lines may extend */
	size_t		key_indent = 0;

	if (text == NULL)
		return;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && !set->oom)
	{
		const char *line = p;
		const char *eol = memchr(p, '\n', end - p);
		const char *s = line;
		const char *e = eol ? eol : end;
		size_t		indent;

		p = eol ? eol + 1 : end;
		while (s < e && is_space(*s))
			s++;
		indent = (size_t) (s - line);
		while (e > s && is_space(e[-1]))
			e--;
		/* blank lines and comments do not end a value; NULs are not text */
		if (s == e || *s == '#' || *s == ';' || memchr(s, '\0', e - s) != NULL)
			continue;
		if (have_key && indent > key_indent)
		{
			if (profile)
				ini_continue(set, s, e - s);
			continue;
		}
		have_key = false;
		if (*s == '[')
		{
			const char *close = NULL;
			const char *q;

			for (q = s + 1; q < e; q++)
				if (*q == ']')
					close = q;
			free(profile);
			profile = NULL;
			if (close == NULL || close == s + 1)
				continue;
			if (is_credentials)
			{
				profile = dup_range(s + 1, close - s - 1);
				if (profile == NULL)
					set->oom = true;
			}
			else
				profile = config_section_profile(s + 1, close - s - 1);
			continue;
		}
		{
			const char *d = s;
			const char *k_end;
			const char *v;

			while (d < e && *d != '=' && *d != ':')
				d++;
			if (d == e)
				continue;		/* not a setting */
			k_end = d;
			while (k_end > s && is_space(k_end[-1]))
				k_end--;
			if (k_end == s)
				continue;		/* no key */
			v = d + 1;
			while (v < e && is_space(*v))
				v++;
			have_key = true;
			key_indent = indent;
			if (profile)
				ini_add(set, profile, s, k_end - s, v, e - v, is_credentials);
		}
	}
	free(profile);
}

/* The value of key in profile (the last one; credentials file first), or NULL. */
static const ini_entry *
ini_find(const ini_set *set, const char *profile, const char *key)
{
	const ini_entry *best = NULL;
	int			i;

	for (i = 0; i < set->n; i++)
	{
		const ini_entry *e = &set->e[i];

		if (strcmp(e->profile, profile) != 0 || strcmp(e->key, key) != 0)
			continue;
		if (best == NULL || e->from_credentials || !best->from_credentials)
			best = e;
	}
	return best;
}

static const char *
ini_get(const ini_set *set, const char *profile, const char *key)
{
	const ini_entry *e = ini_find(set, profile, key);

	return e ? e->value : NULL;
}

static bool
ini_has_profile(const ini_set *set, const char *profile)
{
	int			i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->e[i].profile, profile) == 0)
			return true;
	return false;
}

typedef struct resolve_ctx
{
	const ini_set *set;
	ddb_profile_plan *plan;
	char	   *err;
	size_t		errlen;
	const char *visited[DDB_PROFILE_MAX_ROLES + 2];
	int			nvisited;
} resolve_ctx;

static bool
has_static_keys(const ini_set *set, const char *profile)
{
	return ini_get(set, profile, "aws_access_key_id") != NULL ||
		ini_get(set, profile, "aws_secret_access_key") != NULL;
}

static bool
has_role(const ini_set *set, const char *profile)
{
	return ini_get(set, profile, "role_arn") != NULL &&
		ini_get(set, profile, "web_identity_token_file") == NULL;
}

static int
take_static(resolve_ctx *c, const char *profile, bool from_credentials_only)
{
	const ini_entry *ak = ini_find(c->set, profile, "aws_access_key_id");
	const ini_entry *sk = ini_find(c->set, profile, "aws_secret_access_key");
	const char *tok = ini_get(c->set, profile, "aws_session_token");

	if (from_credentials_only &&
		!((ak && ak->from_credentials) || (sk && sk->from_credentials)))
		return 1;				/* not here */
	if (ak == NULL || ak->value[0] == '\0')
	{
		set_err(c->err, c->errlen,
				"profile \"%s\" has aws_secret_access_key but no aws_access_key_id", profile);
		return -1;
	}
	if (sk == NULL || sk->value[0] == '\0')
	{
		set_err(c->err, c->errlen,
				"profile \"%s\" has aws_access_key_id but no aws_secret_access_key", profile);
		return -1;
	}
	if (tok == NULL)
		tok = ini_get(c->set, profile, "aws_security_token");
	c->plan->base = DDB_PROFILE_STATIC;
	c->plan->access_key_id = dup_str(ak->value);
	c->plan->secret_access_key = dup_str(sk->value);
	c->plan->session_token = (tok && *tok) ? dup_str(tok) : NULL;
	c->plan->base_profile = dup_str(profile);
	return 0;
}

static int	resolve_profile(resolve_ctx *c, const char *profile, bool top);

/* A profile without a role to assume: the providers in botocore's order. */
static int
resolve_plain(resolve_ctx *c, const char *profile)
{
	const char *web = ini_get(c->set, profile, "web_identity_token_file");
	const char *proc;
	int			rc;

	if (web != NULL)
	{
		const char *arn = ini_get(c->set, profile, "role_arn");
		const char *sess = ini_get(c->set, profile, "role_session_name");

		if (arn == NULL || *arn == '\0' || *web == '\0')
		{
			set_err(c->err, c->errlen, "profile \"%s\" has web_identity_token_file but no role_arn", profile);
			return -1;
		}
		c->plan->base = DDB_PROFILE_WEB_IDENTITY;
		c->plan->web_identity_token_file = dup_str(web);
		c->plan->web_role_arn = dup_str(arn);
		c->plan->web_session_name = sess ? dup_str(sess) : NULL;
		c->plan->base_profile = dup_str(profile);
		return 0;
	}
	if (ini_get(c->set, profile, "sso_start_url") || ini_get(c->set, profile, "sso_session") ||
		ini_get(c->set, profile, "sso_account_id"))
	{
		set_err(c->err, c->errlen,
				"profile \"%s\" uses AWS IAM Identity Center (SSO), which needs an interactive login; "
				"give the server a profile with credential_process = aws configure export-credentials --profile %s --format process",
				profile, profile);
		return -1;
	}
	rc = take_static(c, profile, true);
	if (rc <= 0)
		return rc;
	proc = ini_get(c->set, profile, "credential_process");
	if (proc != NULL && *proc != '\0')
	{
		c->plan->base = DDB_PROFILE_PROCESS;
		c->plan->process = dup_str(proc);
		c->plan->base_profile = dup_str(profile);
		return 0;
	}
	if (has_static_keys(c->set, profile))
		return take_static(c, profile, false);
	set_err(c->err, c->errlen, "profile \"%s\" has no credentials", profile);
	return -1;
}

static int
parse_duration(resolve_ctx *c, const char *profile, const char *v, int *out)
{
	char	   *endp;
	long		n;

	*out = 0;
	if (v == NULL)
		return 0;
	n = strtol(v, &endp, 10);
	if (endp == v || *endp != '\0' || n < 900 || n > 43200)
	{
		set_err(c->err, c->errlen,
				"duration_seconds of profile \"%s\" must be a number of seconds between 900 and 43200",
				profile);
		return -1;
	}
	*out = (int) n;
	return 0;
}

/* Adds the role of profile to the end of the chain. */
static int
push_role(resolve_ctx *c, const char *profile)
{
	ddb_profile_role *r;

	if (c->plan->nroles >= DDB_PROFILE_MAX_ROLES)
	{
		set_err(c->err, c->errlen, "profile \"%s\" chains more than %d roles", profile,
				DDB_PROFILE_MAX_ROLES);
		return -1;
	}
	r = &c->plan->roles[c->plan->nroles];
	if (parse_duration(c, profile, ini_get(c->set, profile, "duration_seconds"),
					   &r->duration_seconds) != 0)
		return -1;
	r->profile = dup_str(profile);
	r->role_arn = dup_str(ini_get(c->set, profile, "role_arn"));
	r->external_id = dup_str(ini_get(c->set, profile, "external_id"));
	r->session_name = dup_str(ini_get(c->set, profile, "role_session_name"));
	c->plan->nroles++;
	return 0;
}

static bool
visited(resolve_ctx *c, const char *profile)
{
	int			i;

	for (i = 0; i < c->nvisited; i++)
		if (strcmp(c->visited[i], profile) == 0)
			return true;
	return false;
}

/* A profile with role_arn: its source first, then its role. */
static int
resolve_role(resolve_ctx *c, const char *profile)
{
	const char *src = ini_get(c->set, profile, "source_profile");
	const char *cs = ini_get(c->set, profile, "credential_source");
	const char *arn = ini_get(c->set, profile, "role_arn");

	if (*arn == '\0')
	{
		set_err(c->err, c->errlen, "role_arn of profile \"%s\" is empty", profile);
		return -1;
	}
	if (ini_get(c->set, profile, "mfa_serial") != NULL)
	{
		set_err(c->err, c->errlen,
				"profile \"%s\" has mfa_serial: a role that needs a one-time MFA code cannot be assumed by a server",
				profile);
		return -1;
	}
	if (src && cs)
	{
		set_err(c->err, c->errlen, "profile \"%s\" has both source_profile and credential_source", profile);
		return -1;
	}
	if (src == NULL && cs == NULL)
	{
		set_err(c->err, c->errlen, "profile \"%s\" has role_arn but neither source_profile nor credential_source",
				profile);
		return -1;
	}
	if (cs)
	{
		if (strcmp(cs, "Environment") == 0)
			c->plan->base = DDB_PROFILE_ENVIRONMENT;
		else if (strcmp(cs, "Ec2InstanceMetadata") == 0)
			c->plan->base = DDB_PROFILE_INSTANCE;
		else if (strcmp(cs, "EcsContainer") == 0)
			c->plan->base = DDB_PROFILE_CONTAINER;
		else
		{
			set_err(c->err, c->errlen,
					"credential_source of profile \"%s\" must be Environment, Ec2InstanceMetadata or EcsContainer",
					profile);
			return -1;
		}
		c->plan->base_profile = dup_str(profile);
		return push_role(c, profile);
	}
	if (!ini_has_profile(c->set, src))
	{
		set_err(c->err, c->errlen, "source_profile \"%s\" of profile \"%s\" does not exist", src, profile);
		return -1;
	}
	if (strcmp(src, profile) == 0)
	{
		/* a profile may take its own keys to assume its own role */
		if (!has_static_keys(c->set, profile))
		{
			set_err(c->err, c->errlen, "profile \"%s\" is its own source_profile but has no keys", profile);
			return -1;
		}
		if (take_static(c, profile, false) != 0)
			return -1;
		return push_role(c, profile);
	}
	if (visited(c, src))
	{
		set_err(c->err, c->errlen, "source_profile of profile \"%s\" leads back to profile \"%s\"", profile, src);
		return -1;
	}
	if (resolve_profile(c, src, false) != 0)
		return -1;
	return push_role(c, profile);
}

static int
resolve_profile(resolve_ctx *c, const char *profile, bool top)
{
	if (c->nvisited >= (int) (sizeof(c->visited) / sizeof(c->visited[0])))
	{
		set_err(c->err, c->errlen, "profile \"%s\" chains more than %d roles", profile,
				DDB_PROFILE_MAX_ROLES);
		return -1;
	}
	c->visited[c->nvisited++] = profile;
	if (top)
		return has_role(c->set, profile) ? resolve_role(c, profile) : resolve_plain(c, profile);
	/* a source profile: its own keys win over its role */
	if (has_static_keys(c->set, profile) || !has_role(c->set, profile))
		return resolve_plain(c, profile);
	return resolve_role(c, profile);
}

int
ddb_profile_resolve(const char *config, size_t config_len,
					const char *credentials, size_t credentials_len,
					const char *profile, ddb_profile_plan *plan,
					char *err, size_t errlen)
{
	ini_set		set;
	resolve_ctx c;
	int			rc;

	memset(plan, 0, sizeof(*plan));
	memset(&set, 0, sizeof(set));
	if (errlen > 0)
		err[0] = '\0';
	if (profile == NULL || *profile == '\0')
	{
		set_err(err, errlen, "no profile name");
		return -1;
	}
	ini_parse(&set, config, config_len, false);
	ini_parse(&set, credentials, credentials_len, true);
	if (set.oom)
	{
		ini_free(&set);
		set_err(err, errlen, "out of memory reading the AWS config files");
		return -1;
	}
	if (!ini_has_profile(&set, profile))
	{
		ini_free(&set);
		set_err(err, errlen, "profile \"%s\" is not in the AWS config or credentials file", profile);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.set = &set;
	c.plan = plan;
	c.err = err;
	c.errlen = errlen;
	rc = resolve_profile(&c, profile, true);
	if (rc == 0 && plan->base_profile == NULL)
	{
		set_err(err, errlen, "out of memory reading the AWS config files");
		rc = -1;
	}
	ini_free(&set);
	return rc;
}

void
ddb_profile_plan_free(ddb_profile_plan *plan)
{
	int			i;

	wipe_free(plan->base_profile);
	wipe_free(plan->access_key_id);
	wipe_free(plan->secret_access_key);
	wipe_free(plan->session_token);
	wipe_free(plan->process);
	wipe_free(plan->web_identity_token_file);
	wipe_free(plan->web_role_arn);
	wipe_free(plan->web_session_name);
	for (i = 0; i < plan->nroles && i < DDB_PROFILE_MAX_ROLES; i++)
	{
		wipe_free(plan->roles[i].profile);
		wipe_free(plan->roles[i].role_arn);
		wipe_free(plan->roles[i].external_id);
		wipe_free(plan->roles[i].session_name);
	}
	memset(plan, 0, sizeof(*plan));
}

/* ---- credential_process command lines -------------------------------- */

typedef struct word_buf
{
	char	   *s;				/* NULL: no word started */
	size_t		n;
	size_t		cap;
} word_buf;

/* Starts a word (possibly empty, as '' is) unless one is started. */
static bool
word_start(word_buf *w)
{
	if (w->s != NULL)
		return true;
	w->s = malloc(64);
	if (w->s == NULL)
		return false;
	w->cap = 64;
	w->n = 0;
	w->s[0] = '\0';
	return true;
}

static bool
word_put(word_buf *w, char ch)
{
	if (!word_start(w))
		return false;
	if (w->n + 2 > w->cap)
	{
		size_t		cap = w->cap * 2;
		char	   *p = realloc(w->s, cap);

		if (p == NULL)
			return false;
		w->s = p;
		w->cap = cap;
	}
	w->s[w->n++] = ch;
	w->s[w->n] = '\0';
	return true;
}

void
ddb_shell_split_free(char **argv)
{
	char	  **a;

	if (argv == NULL)
		return;
	for (a = argv; *a; a++)
		free(*a);
	free(argv);
}

char **
ddb_shell_split(const char *cmd, int *argc, char *err, size_t errlen)
{
	char	  **argv = NULL;
	int			n = 0;
	int			cap = 0;
	const char *p = cmd ? cmd : "";
	word_buf	w = {NULL, 0, 0};

	*argc = 0;
	if (errlen > 0)
		err[0] = '\0';
	for (;;)
	{
		char		ch = *p;

		if (ch == '\0' || is_space(ch) || ch == '\n')
		{
			if (w.s != NULL)
			{
				if (n + 2 > cap)
				{
					int			ncap = cap ? cap * 2 : 8;
					char	  **q = realloc(argv, sizeof(char *) * ncap);

					if (q == NULL)
						goto oom;
					argv = q;
					cap = ncap;
				}
				argv[n++] = w.s;
				argv[n] = NULL;
				w.s = NULL;
			}
			if (ch == '\0')
				break;
			p++;
		}
		else if (ch == '\\')
		{
			/* outside quotes a backslash takes the next character as it is */
			if (p[1] == '\0')
			{
				set_err(err, errlen, "the command ends with a backslash");
				goto fail;
			}
			if (!word_put(&w, p[1]))
				goto oom;
			p += 2;
		}
		else if (ch == '\'')
		{
			const char *close = strchr(p + 1, '\'');

			if (close == NULL)
			{
				set_err(err, errlen, "the command has an unterminated single quote");
				goto fail;
			}
			if (!word_start(&w))
				goto oom;
			for (p++; p < close; p++)
				if (!word_put(&w, *p))
					goto oom;
			p = close + 1;
		}
		else if (ch == '"')
		{
			/* inside double quotes a backslash escapes only " and itself */
			if (!word_start(&w))
				goto oom;
			for (p++; *p != '"'; p++)
			{
				if (*p == '\0')
				{
					set_err(err, errlen, "the command has an unterminated double quote");
					goto fail;
				}
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				if (!word_put(&w, *p))
					goto oom;
			}
			p++;
		}
		else
		{
			if (!word_put(&w, ch))
				goto oom;
			p++;
		}
	}
	if (n == 0)
	{
		set_err(err, errlen, "the command is empty");
		goto fail;
	}
	*argc = n;
	return argv;

oom:
	set_err(err, errlen, "out of memory");
fail:
	free(w.s);
	if (argv)
	{
		argv[n] = NULL;
		ddb_shell_split_free(argv);
	}
	return NULL;
}
