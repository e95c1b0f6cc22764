/*-------------------------------------------------------------------------
 * http_simple.c
 *	  One plain HTTP request, for the credential providers
 *	  (credentials_fetch.c): STS, the instance metadata service, container
 *	  credential endpoints; and libcurl's one-time set-up.
 *
 * Not part of the DynamoDB call path (http.c): no signing, no retries, no
 * rate limit, one request at a time on its own handle.  It sits below the
 * connections on purpose: http.c signs with the credentials that these
 * requests fetch (http.c -> credentials.c -> credentials_fetch.c -> here),
 * so it must not need them.  Like the calls of http.c it never raises
 * signals (CURLOPT_NOSIGNAL), waits on the socket in slices so query cancel
 * is honoured, and collects the answer in malloc'd memory from the
 * callback.  Header lines and the answer may hold secrets: they are wiped
 * before they are freed.
 *-------------------------------------------------------------------------
 */
#include "ddbrel.h"

#include <curl/curl.h>

#include "miscadmin.h"

static bool curl_ready = false;

/* libcurl's global set-up, once per backend, before any handle is made. */
void
ddb_curl_init(void)
{
	if (curl_ready)
		return;
	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		elog(ERROR, "could not initialize libcurl");
	curl_ready = true;
}

typedef struct SimpleBody
{
	char	   *data;
	size_t		len;
	size_t		cap;
	size_t		max;
	bool		too_big;
} SimpleBody;

static size_t
simple_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	SimpleBody *b = (SimpleBody *) userdata;
	size_t		n = size * nmemb;

	if (b->len + n + 1 > b->max)
	{
		b->too_big = true;
		return 0;
	}
	if (b->len + n + 1 > b->cap)
	{
		size_t		cap = Max(Max(b->cap * 2, b->len + n + 1), 4096);
		char	   *p = malloc(cap);

		if (p == NULL)
		{
			b->too_big = true;
			return 0;
		}
		if (b->data)
		{
			memcpy(p, b->data, b->len);
			explicit_bzero(b->data, b->cap);
			free(b->data);
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static void
simple_cleanup(CURLM *multi, CURL *easy, struct curl_slist *headers, SimpleBody *body)
{
	struct curl_slist *h;

	if (multi && easy)
		curl_multi_remove_handle(multi, easy);
	if (easy)
		curl_easy_cleanup(easy);
	if (multi)
		curl_multi_cleanup(multi);
	for (h = headers; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(headers);
	if (body->data)
	{
		explicit_bzero(body->data, body->cap);
		free(body->data);
		body->data = NULL;
	}
}

/*
 * Sends req and waits for its answer.  res->status is the HTTP status, or 0
 * when no answer came (res->error then says why); res->body is the answer,
 * palloc'd in CurrentMemoryContext.  Raises only for interrupts and out of
 * memory.
 */
void
ddb_http_simple(const DdbHttpRequest *req, DdbHttpResult *res)
{
	CURLM	   *multi;
	CURL	   *easy;
	struct curl_slist *headers = NULL;
	SimpleBody	body;
	char		errbuf[CURL_ERROR_SIZE];
	CURLcode	result = CURLE_OK;
	bool		done = false;

	memset(res, 0, sizeof(*res));
	memset(&body, 0, sizeof(body));
	body.max = req->max_response > 0 ? req->max_response : 1024 * 1024;
	errbuf[0] = '\0';
	ddb_curl_init();
	multi = curl_multi_init();
	easy = curl_easy_init();
	if (multi == NULL || easy == NULL)
	{
		simple_cleanup(multi, easy, NULL, &body);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not create a libcurl handle")));
	}
	if (req->headers)
	{
		const char *const *h;

		for (h = req->headers; *h; h++)
		{
			struct curl_slist *t = curl_slist_append(headers, *h);

			if (t == NULL)
			{
				simple_cleanup(multi, easy, headers, &body);
				ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
			}
			headers = t;
		}
	}
	{
		struct curl_slist *t = curl_slist_append(headers, "Expect:");

		if (t == NULL)
		{
			simple_cleanup(multi, easy, headers, &body);
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		}
		headers = t;
	}
	curl_easy_setopt(easy, CURLOPT_URL, req->url);
	if (strcmp(req->method, "POST") == 0)
	{
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	}
	else if (strcmp(req->method, "GET") != 0)
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req->method);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, simple_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long) req->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long) req->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, req->verify_tls ? 1L : 0L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, req->verify_tls ? 2L : 0L);
	if (req->ca_file)
		curl_easy_setopt(easy, CURLOPT_CAINFO, req->ca_file);
	if (req->no_proxy)
		curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
	if (curl_multi_add_handle(multi, easy) != CURLM_OK)
	{
		simple_cleanup(multi, easy, headers, &body);
		elog(ERROR, "could not queue an HTTP request");
	}

	PG_TRY();
	{
		while (!done)
		{
			int			running;
			CURLMsg    *msg;
			int			left;

			CHECK_FOR_INTERRUPTS();
			curl_multi_perform(multi, &running);
			while ((msg = curl_multi_info_read(multi, &left)) != NULL)
				if (msg->msg == CURLMSG_DONE)
				{
					result = msg->data.result;
					done = true;
				}
			if (!done)
				curl_multi_poll(multi, NULL, 0, DDB_WAIT_SLICE_MS, NULL);
		}
	}
	PG_CATCH();
	{
		simple_cleanup(multi, easy, headers, &body);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (result == CURLE_OK)
	{
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &res->status);
		res->body = palloc(body.len + 1);
		if (body.len > 0)
			memcpy(res->body, body.data, body.len);
		res->body[body.len] = '\0';
		res->body_len = body.len;
	}
	else
	{
		res->body = pstrdup("");
		if (body.too_big)
			snprintf(res->error, sizeof(res->error), "the answer is longer than %zu bytes", body.max - 1);
		else
			snprintf(res->error, sizeof(res->error), "%s", errbuf[0] ? errbuf : curl_easy_strerror(result));
	}
	simple_cleanup(multi, easy, headers, &body);
}
