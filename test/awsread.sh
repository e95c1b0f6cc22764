#!/usr/bin/env bash
# test/awsread.sh
#	  Reads DynamoDB with the AWS CLI, for regress tests that check what
#	  ddbrel wrote independently of ddbrel:
#
#	awsread.sh get TABLE KEY-JSON   the item as sorted JSON (or "null")
#	awsread.sh count TABLE          the item count of a full Scan
set -euo pipefail
aws=(/usr/bin/aws dynamodb --endpoint-url "$DDB_ENDPOINT" --output json)
case "$1" in
	get)
		"${aws[@]}" get-item --table-name "$2" --key "$3" --consistent-read |
			/usr/bin/python3 -c 'import json, sys; t = sys.stdin.read().strip(); print(json.dumps(json.loads(t).get("Item") if t else None, sort_keys=True))'
		;;
	count)
		"${aws[@]}" scan --table-name "$2" --select COUNT |
			/usr/bin/python3 -c 'import json, sys; print("count:", json.load(sys.stdin)["Count"])'
		;;
	*)
		echo "usage: awsread.sh get TABLE KEY | count TABLE" >&2
		exit 2
		;;
esac
