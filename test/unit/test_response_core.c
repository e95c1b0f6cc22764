/*
 * test_response_core.c
 *	  Unit tests of src/response_core.c: error bodies, accounting fields,
 *	  unprocessed keys/items and LastEvaluatedKey, on real DynamoDB/dynalite
 *	  answers and on malformed ones.
 */
#include "response_core.h"

#include <math.h>
#include <stdlib.h>

#include "unit.h"

static ddb_error_info
error_of(const char *text)
{
	cJSON	   *json = cJSON_Parse(text);
	ddb_error_info info;
	static char type[256];
	static char msg[1024];

	ddb_error_read(json, &info);
	/* copy out: the tree dies here */
	snprintf(type, sizeof(type), "%s", info.type);
	snprintf(msg, sizeof(msg), "%s", info.message);
	info.type = type;
	info.message = msg;
	cJSON_Delete(json);
	return info;
}

static void
test_errors(void)
{
	ddb_error_info e;
	char		out[64];

	/* DynamoDB (and dynalite) */
	e = error_of("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
				 "\"message\":\"Requested resource not found\"}");
	CHECK_STR(e.type, "ResourceNotFoundException");
	CHECK_STR(e.message, "Requested resource not found");
	/* the coral namespace and "Message" */
	e = error_of("{\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\","
				 "\"Message\":\"The security token included in the request is invalid.\"}");
	CHECK_STR(e.type, "UnrecognizedClientException");
	CHECK_STR(e.message, "The security token included in the request is invalid.");
	/* both spellings: "message" wins */
	e = error_of("{\"Message\":\"upper\",\"message\":\"lower\",\"__type\":\"X\"}");
	CHECK_STR(e.message, "lower");
	CHECK_STR(e.type, "X");
	/* a non-string "message" falls back to "Message" */
	e = error_of("{\"message\":42,\"Message\":\"text\"}");
	CHECK_STR(e.message, "text");
	CHECK_STR(e.type, "");
	/* no namespace; namespace only; several '#' */
	e = error_of("{\"__type\":\"ThrottlingException\"}");
	CHECK_STR(e.type, "ThrottlingException");
	e = error_of("{\"__type\":\"ns#\"}");
	CHECK_STR(e.type, "");
	e = error_of("{\"__type\":\"a#b#ValidationException\"}");
	CHECK_STR(e.type, "ValidationException");
	/* not objects, not JSON, wrong member types */
	e = error_of("[\"__type\", \"message\"]");
	CHECK_STR(e.type, "");
	CHECK_STR(e.message, "");
	e = error_of("\"__type\"");
	CHECK_STR(e.type, "");
	e = error_of("<html>502 Bad Gateway</html>");
	CHECK_STR(e.type, "");
	CHECK_STR(e.message, "");
	e = error_of("{\"__type\":null,\"message\":{\"x\":1}}");
	CHECK_STR(e.type, "");
	CHECK_STR(e.message, "");
	ddb_error_read(NULL, &e);
	CHECK_STR(e.type, "");
	CHECK_STR(e.message, "");

	/* from the text, as http.c holds it */
	CHECK(ddb_error_type_text("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\"}",
							  strlen("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\"}"),
							  out, sizeof(out)));
	CHECK_STR(out, "ProvisionedThroughputExceededException");
	/* the length bounds the parse: a body cut before the type has none */
	CHECK(!ddb_error_type_text("{\"__type\":\"X\"}", 5, out, sizeof(out)));
	CHECK_STR(out, "");
	/* a "__type" inside a message is not the type (a string search would take it) */
	{
		const char *tricky = "{\"message\":\"\\\"__type\\\": \\\"ThrottlingException\\\"\",\"__type\":\"ns#ValidationException\"}";

		CHECK(ddb_error_type_text(tricky, strlen(tricky), out, sizeof(out)));
		CHECK_STR(out, "ValidationException");
	}
	/* escaped characters come out decoded */
	{
		const char *esc = "{\"__type\":\"ns#A\\u0042C\"}";

		CHECK(ddb_error_type_text(esc, strlen(esc), out, sizeof(out)));
	}
	CHECK_STR(out, "ABC");
	/* truncation to the buffer, always terminated */
	CHECK(ddb_error_type_text("{\"__type\":\"ns#ValidationException\"}", 35, out, 6));
	CHECK_STR(out, "Valid");
	CHECK(!ddb_error_type_text("not json", 8, out, sizeof(out)));
	CHECK_STR(out, "");
	CHECK(!ddb_error_type_text(NULL, 0, out, sizeof(out)));
	CHECK(!ddb_error_type_text("", 0, out, sizeof(out)));
	CHECK(!ddb_error_type_text("{}", 2, out, 0));	/* no room: nothing written */

	CHECK(ddb_error_is_throttling("ProvisionedThroughputExceededException"));
	CHECK(ddb_error_is_throttling("ThrottlingException"));
	CHECK(ddb_error_is_throttling("RequestLimitExceeded"));
	CHECK(ddb_error_is_throttling("LimitExceededException"));
	CHECK(ddb_error_is_throttling("TransactionInProgressException"));
	CHECK(!ddb_error_is_throttling("TransactionCanceledException"));
	CHECK(!ddb_error_is_throttling("ValidationException"));
	CHECK(!ddb_error_is_throttling(""));
	CHECK(!ddb_error_is_throttling(NULL));
}

static int
reasons_of(const char *text, char *out, size_t outlen)
{
	cJSON	   *json = cJSON_Parse(text);
	int			n = ddb_error_throttling_reasons(json, out, outlen);

	cJSON_Delete(json);
	return n;
}

static void
test_throttling_reasons(void)
{
	char		out[512];
	char		tiny[12];

	/* as DynamoDB answers a throttle of a table's provisioned reads */
	CHECK(reasons_of("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
					 "\"message\":\"slow down\",\"ThrottlingReasons\":[{\"reason\":"
					 "\"TableReadProvisionedThroughputExceeded\",\"resource\":"
					 "\"arn:aws:dynamodb:us-east-1:123456789012:table/Pages\"}]}",
					 out, sizeof(out)) == 1);
	CHECK_STR(out, "Throttled at the table: TableReadProvisionedThroughputExceeded on "
			  "arn:aws:dynamodb:us-east-1:123456789012:table/Pages.");
	/* an index, a partition, the account, one not known, one without a resource */
	CHECK(reasons_of("{\"ThrottlingReasons\":["
					 "{\"reason\":\"IndexWriteProvisionedThroughputExceeded\",\"resource\":\"arn:x/index/GSI1\"},"
					 "{\"reason\":\"TableReadKeyRangeThroughputExceeded\",\"resource\":\"arn:x\"},"
					 "{\"reason\":\"TableWriteAccountLimitExceeded\",\"resource\":\"arn:x\"},"
					 "{\"reason\":\"SomethingNew\",\"resource\":\"arn:y\"},"
					 "{\"reason\":\"IndexReadMaxOnDemandThroughputExceeded\"}]}",
					 out, sizeof(out)) == 5);
	CHECK_STR(out, "Throttled at an index: IndexWriteProvisionedThroughputExceeded on arn:x/index/GSI1; "
			  "at a partition: TableReadKeyRangeThroughputExceeded on arn:x; "
			  "at the account: TableWriteAccountLimitExceeded on arn:x; "
			  "SomethingNew on arn:y; at an index: IndexReadMaxOnDemandThroughputExceeded.");
	/* none, or nothing usable: "" */
	CHECK(reasons_of("{\"__type\":\"x#ThrottlingException\"}", out, sizeof(out)) == 0);
	CHECK_STR(out, "");
	CHECK(reasons_of("{\"ThrottlingReasons\":[{\"resource\":\"arn:x\"},{\"reason\":\"\"},7,null]}",
					 out, sizeof(out)) == 0);
	CHECK_STR(out, "");
	CHECK(reasons_of("{\"ThrottlingReasons\":{\"reason\":\"TableRead\"}}", out, sizeof(out)) == 0);
	CHECK(reasons_of("[1]", out, sizeof(out)) == 0);
	CHECK(ddb_error_throttling_reasons(NULL, out, sizeof(out)) == 0 && out[0] == '\0');
	/* control characters and non-ASCII are dropped */
	CHECK(reasons_of("{\"ThrottlingReasons\":[{\"reason\":\"Table\\nRead\\u00e9X\",\"resource\":\"a\\u0007b\"}]}",
					 out, sizeof(out)) == 1);
	CHECK_STR(out, "Throttled at the table: TableReadX on ab.");
	/* a small buffer: truncated, terminated */
	CHECK(reasons_of("{\"ThrottlingReasons\":[{\"reason\":\"TableReadProvisionedThroughputExceeded\"}]}",
					 tiny, sizeof(tiny)) == 1);
	CHECK(strlen(tiny) == sizeof(tiny) - 1);
	CHECK(ddb_error_throttling_reasons(NULL, tiny, 0) == 0);
	/* many reasons: eight, then an ellipsis */
	{
		char		big[2048];
		char		json[2048] = "{\"ThrottlingReasons\":[";
		int			i;

		for (i = 0; i < 10; i++)
			strcat(json, i ? ",{\"reason\":\"TableReadX\"}" : "{\"reason\":\"TableReadX\"}");
		strcat(json, "]}");
		CHECK(reasons_of(json, big, sizeof(big)) == 8);
		CHECK(strstr(big, "; ....") != NULL);
	}
}

static ddb_resp_counts
counts_of(const char *text)
{
	cJSON	   *json = cJSON_Parse(text);
	ddb_resp_counts c;

	ddb_resp_counts_read(json, &c);
	cJSON_Delete(json);
	return c;
}

static int
parts_of(const char *text, ddb_capacity_part *parts, int max, char names[][16])
{
	cJSON	   *json = cJSON_Parse(text);
	int			n = ddb_resp_capacity_parts(json, parts, max);
	int			i;

	/* the names point into the tree: copy them before it goes */
	for (i = 0; i < n && i < max; i++)
		snprintf(names[i], 16, "%s", parts[i].table);
	cJSON_Delete(json);
	return n;
}

static void
test_capacity_parts(void)
{
	ddb_capacity_part p[4];
	char		names[4][16];

	/* one object */
	CHECK(parts_of("{\"ConsumedCapacity\":{\"TableName\":\"T\",\"CapacityUnits\":2.5}}", p, 4, names) == 1);
	CHECK_STR(names[0], "T");
	CHECK(p[0].units == 2.5);
	/* an array: only parts with units; a part without a name is "" */
	CHECK(parts_of("{\"ConsumedCapacity\":[{\"TableName\":\"A\",\"CapacityUnits\":1},"
				   "{\"TableName\":\"B\"},{\"CapacityUnits\":3},7,"
				   "{\"TableName\":\"C\",\"CapacityUnits\":-1}]}", p, 4, names) == 2);
	CHECK_STR(names[0], "A");
	CHECK(p[0].units == 1);
	CHECK_STR(names[1], "");
	CHECK(p[1].units == 3);
	/* more parts than room: counted, not written */
	CHECK(parts_of("{\"ConsumedCapacity\":[{\"CapacityUnits\":1},{\"CapacityUnits\":2},"
				   "{\"CapacityUnits\":3}]}", p, 2, names) == 3);
	CHECK(p[1].units == 2);
	/* none */
	CHECK(parts_of("{}", p, 4, names) == 0);
	CHECK(parts_of("{\"ConsumedCapacity\":\"x\"}", p, 4, names) == 0);
	CHECK(parts_of("[]", p, 4, names) == 0);
	CHECK(ddb_resp_capacity_parts(NULL, p, 4) == 0);
}

static void
test_counts(void)
{
	ddb_resp_counts c;

	/* Query/Scan page as dynalite answers it */
	c = counts_of("{\"Items\":[{\"id\":{\"S\":\"a\"}},{\"id\":{\"S\":\"b\"}}],\"Count\":2,"
				  "\"ScannedCount\":5,\"ConsumedCapacity\":{\"CapacityUnits\":0.5,\"TableName\":\"T\"}}");
	CHECK(c.count == 2);
	CHECK(c.scanned == 5);
	CHECK(!c.has_item);
	CHECK(c.batch_items == 0);
	CHECK(c.capacity == 0.5 && c.has_capacity);
	/* GetItem, found and not */
	c = counts_of("{\"Item\":{\"id\":{\"S\":\"a\"}},\"ConsumedCapacity\":{\"CapacityUnits\":1,\"TableName\":\"T\"}}");
	CHECK(c.has_item);
	CHECK(c.count == 0 && c.scanned == 0);
	CHECK(c.capacity == 1);
	c = counts_of("{}");
	CHECK(!c.has_item && c.capacity == 0 && !c.has_capacity);
	/* zero units is an answer too */
	c = counts_of("{\"ConsumedCapacity\":{\"CapacityUnits\":0.0,\"TableName\":\"T\"}}");
	CHECK(c.capacity == 0 && c.has_capacity);
	/* BatchGetItem over two tables, capacity as an array */
	c = counts_of("{\"Responses\":{\"A\":[{},{},{}],\"B\":[{}],\"C\":{\"x\":1},\"D\":[]},"
				  "\"UnprocessedKeys\":{},"
				  "\"ConsumedCapacity\":[{\"CapacityUnits\":1.5,\"TableName\":\"A\"},"
				  "{\"CapacityUnits\":2,\"TableName\":\"B\"},{\"TableName\":\"C\"},7,null]}");
	CHECK(c.batch_items == 4);
	CHECK(c.capacity == 3.5);
	/* hostile numbers: negative, huge, wrong types */
	c = counts_of("{\"Count\":-3,\"ScannedCount\":1e300,\"ConsumedCapacity\":{\"CapacityUnits\":-1}}");
	CHECK(c.count == 0);
	CHECK(c.scanned == 9007199254740992LL);
	CHECK(c.capacity == 0 && !c.has_capacity);
	c = counts_of("{\"Count\":\"2\",\"ScannedCount\":true,\"ConsumedCapacity\":\"lots\"}");
	CHECK(c.count == 0 && c.scanned == 0 && c.capacity == 0);
	c = counts_of("{\"ConsumedCapacity\":[{\"CapacityUnits\":1e308},{\"CapacityUnits\":1e308}]}");
	CHECK(isfinite(c.capacity));
	c = counts_of("{\"Count\":2.9}");
	CHECK(c.count == 2);
	/* not an object at all */
	c = counts_of("[1,2,3]");
	CHECK(c.count == 0 && c.batch_items == 0 && !c.has_item);
	ddb_resp_counts_read(NULL, &c);
	CHECK(c.count == 0 && c.scanned == 0 && c.capacity == 0);
}

static void
test_pages(void)
{
	cJSON	   *j;

	j = cJSON_Parse("{\"Responses\":{},\"UnprocessedKeys\":{\"T\":{\"Keys\":[{\"id\":{\"S\":\"a\"}}]}}}");
	CHECK(ddb_resp_unprocessed(j) == cJSON_GetObjectItemCaseSensitive(j, "UnprocessedKeys"));
	cJSON_Delete(j);
	j = cJSON_Parse("{\"UnprocessedItems\":{\"T\":[{\"PutRequest\":{\"Item\":{}}}]}}");
	CHECK(ddb_resp_unprocessed(j) == cJSON_GetObjectItemCaseSensitive(j, "UnprocessedItems"));
	cJSON_Delete(j);
	j = cJSON_Parse("{\"UnprocessedKeys\":{},\"UnprocessedItems\":{}}");
	CHECK(ddb_resp_unprocessed(j) == NULL);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"UnprocessedKeys\":[1],\"UnprocessedItems\":\"x\"}");
	CHECK(ddb_resp_unprocessed(j) == NULL);
	cJSON_Delete(j);
	CHECK(ddb_resp_unprocessed(NULL) == NULL);

	/* how many: requests of every table, or keys of every table */
	j = cJSON_Parse("{\"UnprocessedItems\":{\"A\":[{\"PutRequest\":{}},{\"DeleteRequest\":{}}],"
					"\"B\":[{\"PutRequest\":{}}]}}");
	CHECK(ddb_resp_unprocessed_count(ddb_resp_unprocessed(j)) == 3);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"UnprocessedKeys\":{\"A\":{\"Keys\":[{},{}],\"ConsistentRead\":true},"
					"\"B\":{\"Keys\":[{}]}}}");
	CHECK(ddb_resp_unprocessed_count(ddb_resp_unprocessed(j)) == 3);
	cJSON_Delete(j);
	/* a table with no keys, or of another shape, counts nothing */
	j = cJSON_Parse("{\"UnprocessedKeys\":{\"A\":{\"Keys\":[]},\"B\":{\"Keys\":{}},\"C\":7,"
					"\"D\":{\"Other\":[1]}}}");
	CHECK(ddb_resp_unprocessed(j) != NULL);
	CHECK(ddb_resp_unprocessed_count(ddb_resp_unprocessed(j)) == 0);
	cJSON_Delete(j);
	j = cJSON_Parse("[1,2]");
	CHECK(ddb_resp_unprocessed_count(j) == 0);
	cJSON_Delete(j);
	CHECK(ddb_resp_unprocessed_count(NULL) == 0);

	j = cJSON_Parse("{\"Items\":[],\"LastEvaluatedKey\":{\"id\":{\"S\":\"k\"}}}");
	CHECK(ddb_resp_last_key(j) == cJSON_GetObjectItemCaseSensitive(j, "LastEvaluatedKey"));
	cJSON_Delete(j);
	j = cJSON_Parse("{\"Items\":[],\"LastEvaluatedKey\":{}}");
	CHECK(ddb_resp_last_key(j) == NULL);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"LastEvaluatedKey\":null}");
	CHECK(ddb_resp_last_key(j) == NULL);
	cJSON_Delete(j);
	j = cJSON_Parse("[{\"LastEvaluatedKey\":{\"a\":1}}]");
	CHECK(ddb_resp_last_key(j) == NULL);
	cJSON_Delete(j);
}

int
main(void)
{
	test_throttling_reasons();
	test_capacity_parts();
	test_errors();
	test_counts();
	test_pages();
	UNIT_DONE("response_core");
}
