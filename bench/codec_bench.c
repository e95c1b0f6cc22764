/*-------------------------------------------------------------------------
 * codec_bench.c
 *	  Instructions per item of ddbrel's decode path, outside the server.
 *
 * Reads one Scan response (a file of DynamoDB JSON, about 1 MB, written by
 * bench/bench.py) and does what the backend does with a page: cJSON_Parse
 * the body, then turn each item into JSON text with ddb_item_to_json (the
 * path of a document column).  The body is also parsed with ddb_json_parse
 * (src/json_core.c), which builds the same tree.  Parsing and converting
 * live in separate non-inlined functions so that callgrind can count each
 * one alone:
 *
 *	valgrind --tool=callgrind --toggle-collect=bench_parse  ./codec_bench resp.json
 *	valgrind --tool=callgrind --toggle-collect=bench_parse_ddb ./codec_bench resp.json
 *	valgrind --tool=callgrind --toggle-collect=bench_convert ./codec_bench resp.json
 *
 * Run natively with a repeat count it prints nanoseconds per item instead:
 *
 *	./codec_bench resp.json 50
 *
 * It also parses the page once beforehand with counting cJSON hooks, to
 * report how much memory the tree of one page takes (tree_bytes).
 *
 * Output is one line of key=value pairs for the driver to read.
 *-------------------------------------------------------------------------
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "codec_core.h"
#include "json_core.h"

/* Bytes cJSON holds, to size the tree of one page. */
static size_t cjson_bytes;
static size_t cjson_allocs;

static void *
count_malloc(size_t n)
{
	void	   *p = malloc(n);

	if (p != NULL)
	{
		cjson_bytes += malloc_usable_size(p);
		cjson_allocs++;
	}
	return p;
}

static void
count_free(void *p)
{
	if (p != NULL)
	{
		cjson_bytes -= malloc_usable_size(p);
		cjson_allocs--;
	}
	free(p);
}

/* The whole file, NUL-terminated. */
static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
		fseek(f, 0, SEEK_SET) != 0)
	{
		perror(path);
		exit(2);
	}
	buf = malloc((size_t) n + 1);
	if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n)
	{
		perror(path);
		exit(2);
	}
	buf[n] = '\0';
	fclose(f);
	*len = (size_t) n;
	return buf;
}

/* Parse one response body, as ddb_call_finish does. */
__attribute__((noinline)) static cJSON *
bench_parse(const char *body)
{
	cJSON	   *root = cJSON_Parse(body);

	if (root == NULL)
	{
		fprintf(stderr, "codec_bench: response does not parse\n");
		exit(2);
	}
	return root;
}

/* The same with ddb_json_parse. */
__attribute__((noinline)) static cJSON *
bench_parse_ddb(const char *body, size_t len)
{
	cJSON	   *root = ddb_json_parse(body, len);

	if (root == NULL)
	{
		fprintf(stderr, "codec_bench: response does not parse with ddb_json_parse\n");
		exit(2);
	}
	return root;
}

/*
 * Convert every item of the page to JSON text, one buffer reused per row
 * (the backend resets its row context instead).  Returns the item count;
 * *bytes gets the text produced.
 */
__attribute__((noinline)) static long
bench_convert(const cJSON *root, ddb_buf *out, size_t *bytes)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "Items");
	const cJSON *item;
	long		n = 0;
	char		err[256];

	*bytes = 0;
	cJSON_ArrayForEach(item, items)
	{
		out->len = 0;
		if (ddb_item_to_json(item, out, err, sizeof(err)) != 0)
		{
			fprintf(stderr, "codec_bench: item %ld: %s\n", n, err);
			exit(2);
		}
		*bytes += out->len;
		n++;
	}
	return n;
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	size_t		len;
	size_t		bytes = 0;
	char	   *body;
	int			reps;
	int			r;
	long		items = 0;
	size_t		tree_bytes = 0;
	size_t		tree_allocs = 0;
	cJSON_Hooks hooks = {count_malloc, count_free};
	double		t_parse = 0;
	double		t_parse_ddb = 0;
	double		t_conv = 0;
	ddb_buf		out;

	if (argc < 2)
	{
		fprintf(stderr, "usage: %s response.json [repeats]\n", argv[0]);
		return 2;
	}
	body = read_file(argv[1], &len);
	reps = argc > 2 ? atoi(argv[2]) : 1;
	if (reps < 1)
		reps = 1;
	/* size of one parsed page, with counting hooks, outside the measured functions */
	{
		cJSON	   *root;

		cJSON_InitHooks(&hooks);
		root = cJSON_Parse(body);
		tree_bytes = cjson_bytes;
		tree_allocs = cjson_allocs;
		cJSON_Delete(root);
		cJSON_InitHooks(NULL);
	}
	ddb_buf_init(&out);
	for (r = 0; r < reps; r++)
	{
		double		t0 = now_ns();
		cJSON	   *root = bench_parse(body);
		double		t1 = now_ns();

		items = bench_convert(root, &out, &bytes);
		t_parse += t1 - t0;
		t_conv += now_ns() - t1;
		cJSON_Delete(root);
		t0 = now_ns();
		root = bench_parse_ddb(body, len);
		t_parse_ddb += now_ns() - t0;
		cJSON_Delete(root);
	}
	printf("bytes=%zu items=%ld json_bytes=%zu tree_bytes=%zu tree_allocs=%zu reps=%d "
		   "parse_ns_per_item=%.1f parse_ddb_ns_per_item=%.1f convert_ns_per_item=%.1f\n",
		   len, items, bytes, tree_bytes, tree_allocs, reps,
		   t_parse / reps / items, t_parse_ddb / reps / items, t_conv / reps / items);
	ddb_buf_free(&out);
	free(body);
	return 0;
}
