#!/usr/bin/python3
"""sigv4_crosscheck.py — src/sigv4.c vs botocore's SigV4Auth, byte for byte.

Generates random DynamoDB-style POST requests with a fixed seed, signs each
with botocore (Debian's python3-botocore; run with /usr/bin/python3) and with
the C driver (test/unit/sigv4_driver, built here through the unit Makefile),
and compares the full Authorization header strings.  On the first mismatch
it prints both canonical requests.  Last line:
    unit sigv4_crosscheck: N passed, M failed
Exit status is non-zero on any mismatch.

Usage: /usr/bin/python3 test/unit/sigv4_crosscheck.py [count] [seed]
"""
import datetime
import json
import os
import random
import subprocess
import sys
import types

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "sigv4_driver")


class _FixedClock(datetime.datetime):
    """datetime.datetime whose utcnow() is whatever we set: SigV4Auth.add_auth
    (botocore 1.29) takes its timestamp from datetime.datetime.utcnow()."""

    fixed = None

    @classmethod
    def utcnow(cls):
        return cls.fixed


# botocore.auth does "import datetime"; give it a module whose datetime class
# has our clock.  strptime (used only for a Date header) still works.
botocore.auth.datetime = types.SimpleNamespace(datetime=_FixedClock)

REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1",
    "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1",
    "ap-southeast-2", "sa-east-1", "ca-central-1", "me-south-1",
    "af-south-1", "cn-north-1", "us-gov-west-1", "il-central-1", "local",
]
OPS = [
    "Query", "Scan", "GetItem", "PutItem", "UpdateItem", "DeleteItem",
    "BatchGetItem", "BatchWriteItem", "DescribeTable", "ListTables",
    "CreateTable", "TransactWriteItems", "ExecuteStatement",
]
ODD_NAMES = [
    "plain", "with space", "quo\"te", "back\\slash", "hash#tag", "co:lon",
    "tab\there", "ünïcødé", "日本語テーブル", "emoji🚀", "a/b", "semi;colon",
    "per%cent", "amp&er=sand", "new\nline", "", "  padded  ", "'single'",
    "\u2028sep", "null\u0000byte",
]
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def rand_str(rng, alphabet, lo, hi):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def pad_ws(rng, value):
    """Sometimes wrap/split a header value with spaces and tabs to exercise
    Trimall (both sides must collapse them identically)."""
    r = rng.random()
    if r < 0.75:
        return value
    ws = lambda: rng.choice([" ", "  ", "\t", " \t ", "   "])
    if r < 0.9:
        return ws() + value + ws()
    mid = rng.randint(0, len(value))
    return value[:mid] + ws() + value[mid:]


def gen_body(rng):
    r = rng.random()
    if r < 0.08:
        return b""
    if r < 0.12:
        # ~100 KB of JSON
        items = [{"pk": {"S": rng.choice(ODD_NAMES) + str(i)},
                  "v": {"N": str(rng.randint(-10**9, 10**9))}}
                 for i in range(2200)]
        body = json.dumps({"RequestItems": {rng.choice(ODD_NAMES): items}},
                          ensure_ascii=False).encode()
        return body[:100 * 1024] if rng.random() < 0.5 else body
    if r < 0.15:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))
    doc = {
        "TableName": rng.choice(ODD_NAMES) + rand_str(rng, "ab#:\" é", 0, 6),
        "KeyConditionExpression": "#k = :v AND begins_with(#s, :p)",
        "ExpressionAttributeNames": {"#k": rng.choice(ODD_NAMES),
                                     "#s": "sort key"},
        "ExpressionAttributeValues": {
            ":v": {"S": rand_str(rng, "xyzä\"':# \\", 0, 20)},
            ":p": {"N": str(rng.random())}},
        "Limit": rng.randint(1, 1000),
    }
    return json.dumps(doc, ensure_ascii=rng.random() < 0.3,
                      separators=rng.choice([(",", ":"), (", ", ": ")])
                      ).encode()


def gen_request(rng):
    region = rng.choice(REGIONS) if rng.random() < 0.9 else \
        rand_str(rng, "abcdefghijklmnopqrstuvwxyz-0123456789", 1, 30)
    host = rng.choice([
        "dynamodb.%s.amazonaws.com" % region,
        "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "localhost",
        "dynamodb.%s.amazonaws.com:443" % region,
        "DynamoDB.Example.COM:%d" % rng.randint(1, 65535),
        "ddb-local", "127.0.0.2:4566",
    ])
    path = "/" if rng.random() < 0.7 else rng.choice([
        "", "/", "//", "/a/b", "/a/b/", "/a/./b/../c", "/../x", "/a//b///",
        "/ünï côdé/x", "/%41%2F", "/~user/a+b=c;d,e", "/a/b/../../..",
        "/.", "/./", "/x/..", "/x/../", "/(paren)/*star*/!bang/'q'/",
        "/" + rand_str(rng, "abc./%~-_ é", 1, 20),
    ])
    service = "dynamodb" if rng.random() < 0.85 else \
        rng.choice(["dax", "streams.dynamodb", "execute-api", "svc"])
    r = rng.random()
    if r < 0.45:
        token = None
    elif r < 0.55:
        token = ""
    elif r < 0.6:
        token = pad_ws(rng, "tok en  with   spaces")
    else:
        token = rand_str(rng, B64, 100, 1200) + "=="
    akid = ("ASIA" if token else "AKIA") + \
        rand_str(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 16)
    r = rng.random()
    if r < 0.8:
        secret = rand_str(rng, B64, 40, 40)
    elif r < 0.9:
        secret = rand_str(rng, B64, 55, 300)   # > one HMAC block with "AWS4"
    elif r < 0.95:
        secret = rand_str(rng, B64, 1, 5)
    else:
        secret = rand_str(rng, B64 + "éß€ ", 10, 80)
    target = pad_ws(rng, "DynamoDB_20120810." + rng.choice(OPS))
    ctype = pad_ws(rng, rng.choice([
        "application/x-amz-json-1.0", "application/x-amz-json-1.1",
        "application/x-amz-json-1.0; charset=utf-8", "application/json",
    ]))
    if rng.random() < 0.15:
        # an STS query request: form body, no X-Amz-Target
        service, target = "sts", None
        ctype = "application/x-www-form-urlencoded; charset=utf-8"
    r = rng.random()
    if r < 0.1:
        epoch = rng.choice([0, 1, 951782400, 1709164800, 2147483647,
                            2147483648, 4102444799, 253402300799])
    else:
        epoch = rng.randint(0, 253402300799)   # up to 9999-12-31T23:59:59Z
    return dict(host=pad_ws(rng, host), path=path, region=region,
                service=service, akid=akid, secret=secret, token=token,
                target=target, ctype=ctype, epoch=epoch, body=gen_body(rng))


def botocore_sign(q):
    """Returns (Authorization, canonical request) from botocore."""
    _FixedClock.fixed = datetime.datetime(1970, 1, 1) + \
        datetime.timedelta(seconds=q["epoch"])
    headers = {"Content-Type": q["ctype"], "Host": q["host"]}
    if q["target"] is not None:
        headers["X-Amz-Target"] = q["target"]
    # the Host header is explicit; the URL only supplies the path
    url = "https://dynamodb.invalid" + q["path"]
    req = AWSRequest(method="POST", url=url, headers=headers, data=q["body"])
    creds = Credentials(q["akid"], q["secret"], q["token"])
    signer = botocore.auth.SigV4Auth(creds, q["service"], q["region"])
    signer.add_auth(req)
    auth = req.headers["Authorization"]
    # add_auth's own canonical request was computed before it added the
    # Authorization header; drop the header to reproduce it for debugging.
    del req.headers["Authorization"]
    return auth, signer.canonical_request(req)


def frame(q):
    def field(v):
        if v is None:
            return b"-1\n"
        if isinstance(v, str):
            v = v.encode()
        return b"%d\n" % len(v) + v + b"\n"
    return b"".join(field(v) for v in (
        q["host"], q["path"], q["region"], q["service"], q["akid"],
        q["secret"], q["token"], q["target"], q["ctype"], str(q["epoch"]),
        q["body"]))


def run_driver(reqs, canonical=False):
    args = [DRIVER] + (["canonical"] if canonical else [])
    p = subprocess.run(args, input=b"".join(frame(q) for q in reqs),
                       stdout=subprocess.PIPE, check=True)
    return p.stdout


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20240915
    subprocess.run(["make", "-s", "-C", HERE, "sigv4_driver"], check=True)

    rng = random.Random(seed)
    reqs = [gen_request(rng) for _ in range(count)]
    got = run_driver(reqs).decode("utf-8").split("\n")
    if len(got) != count + 1 or got[-1] != "":
        print("driver printed %d lines for %d requests" % (len(got) - 1, count))
        print("unit sigv4_crosscheck: 0 passed, %d failed" % count)
        return 1

    passed = failed = 0
    for i, q in enumerate(reqs):
        want, want_creq = botocore_sign(q)
        if got[i] == want:
            passed += 1
            continue
        failed += 1
        if failed == 1:
            out = run_driver([q], canonical=True)
            n, _, rest = out.partition(b"\n")
            c_creq = rest[:int(n)].decode("utf-8", "replace")
            print("first mismatch: request #%d (seed %d)" % (i, seed))
            print("  request:", {k: (v[:200] if isinstance(v, (str, bytes))
                                     else v) for k, v in q.items()})
            print("  botocore:", want)
            print("  C       :", got[i])
            print("--- botocore canonical request ---")
            print(want_creq)
            print("--- C canonical request ---")
            print(c_creq)
            print("--- end ---")
    print("unit sigv4_crosscheck: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
