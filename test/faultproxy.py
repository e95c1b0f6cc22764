#!/usr/bin/python3
# test/faultproxy.py
#	  A fault-injecting HTTP/1.1 proxy between ddbrel and the DynamoDB
#	  server (dynalite or DynamoDB Local).
#
# Usage: faultproxy.py --upstream http://127.0.0.1:PORT --port-file FILE
#                      [--tls-cert CERT --tls-key KEY] [--log FILE]
#
# Listens on a free 127.0.0.1 port (plain HTTP) and, with --tls-cert, on a
# second one speaking HTTPS with that certificate; writes "PORT [TLSPORT]" to
# --port-file once both listen.  Keep-alive on both sides: one upstream
# connection per client connection.  Standard library only.
#
# Faults, chosen per DynamoDB request (X-Amz-Target) by rate or by script:
#
#	throughput    400 ProvisionedThroughputExceededException (not forwarded)
#	throttling    400 ThrottlingException (not forwarded)
#	500           500 InternalServerError (not forwarded)
#	503           503 ServiceUnavailableException (not forwarded)
#	reset_before  TCP reset after reading the request, before forwarding
#	reset_after   forwarded (the server applied it), then TCP reset: answer lost
#	delay         forwarded, answer held back delay_ms
#	truncate      forwarded, headers promise the whole body, half is sent,
#	              then the connection closes
#	badjson       forwarded, 200 with a body cut in half (valid HTTP, invalid
#	              JSON)
#	unprocessed   BatchWriteItem / BatchGetItem only: the first half of each
#	              table's requests (keys) is forwarded, the rest comes back
#	              as UnprocessedItems (UnprocessedKeys), as DynamoDB does
#	              when it is busy; other operations are forwarded faithfully
#	unprocessed_all  BatchWriteItem / BatchGetItem only: nothing is forwarded;
#	              the answer (200) holds every request (key) as unprocessed,
#	              as DynamoDB does when a table stays throttled; other
#	              operations are forwarded faithfully
#	conflict      nothing is forwarded; the answer is what DynamoDB says when
#	              another transaction is changing an item: a TransactWriteItems
#	              cancelled with TransactionConflict at its first action,
#	              TransactionConflictException for other operations (only
#	              when named)
#	none          (in scripts) forwarded faithfully: lets the retry of the
#	              request just faulted through
#	patch         (in scripts) forwarded, and the JSON object of the entry's
#	              "patch" merged into a 200 answer (objects merged member by
#	              member): what a server the tests run against cannot say,
#	              such as DescribeTable's OnDemandThroughput
#
# A script entry {"kind": "throughput", "reasons": true} (faultctl.py
# --reasons) adds DynamoDB's ThrottlingReasons to a throttling answer: the
# table's (or the index's) provisioned read or write capacity, with its ARN.
#
# Capacity mode throttles like a table with provisioned capacity: a read
# (write) is answered ProvisionedThroughputExceededException, with
# ThrottlingReasons, when the answers to the reads (writes) that arrived in
# the last window_ms consumed more than read_units (write_units) per second
# of it, by their ConsumedCapacity; everything else is forwarded.  The
# capacity consumed is read from the server's answers, so it is what the
# server charged.
#
# Indexes the servers cannot make: a global secondary index with
# multi-attribute keys (up to 4 partition-key and 4 sort-key attributes),
# which neither dynalite nor DynamoDB Local supports.  Once declared, the
# table's DescribeTable answers list it, and a Query on it is answered here
# from Scans of the table: the key condition is checked as DynamoDB checks
# it (every partition-key attribute by "=", sort-key attributes left to
# right, only the last one by a range or begins_with; anything else is a
# ValidationException), items sort by the sort-key attributes, Limit,
# ExclusiveStartKey, ScanIndexForward, Select=COUNT, FilterExpression and a
# projection of top-level names behave as on DynamoDB.
#
#	POST /__index  {"table": "T", "index": "ByMatch", "hash": ["a", "b"],
#	                "range": ["c", "d"], "types": {"a": "S", "c": "N"},
#	                "projection": "ALL"}     (types default to S)
#	               {"table": "T", "index": "ByMatch", "drop": true}
#
# Control, on the same ports (paths starting with /__ are never forwarded):
#
#	POST /__fault  {"mode": "off"}
#	               {"mode": "rate", "rate": 0.1, "seed": 7, "kinds": [...],
#	                "ops": ["Query", ...], "delay_ms": 200}
#	               {"mode": "script", "script": ["throttling", "500",
#	                {"kind": "delay", "ms": 5000}, ...], "ops": [...]}
#	               {"mode": "capacity", "read_units": 90, "write_units": 0,
#	                "window_ms": 1000}  (0: that kind is not throttled)
#	               A script gives the next K matching requests those faults,
#	               then the proxy forwards faithfully again.  "ops" limits
#	               faults to those operations (default: all).  "kinds"
#	               defaults to every kind.  The RNG is reseeded on each POST,
#	               so the k-th matching request always gets the k-th draw.
#	POST /__reset  zero the counters
#	GET  /__stats  {"requests", "forwarded", "injected": {kind: n},
#	                "by_op": {op: n}, "min_spacing_ms", "mean_spacing_ms",
#	                "mode"}: counters since the last reset; spacing is
#	                between arrivals of consecutive DynamoDB requests.
#	GET  /__log    {"entries": [{"t", "op", "table", "asked", "units",
#	                "throttled"}, ...]}: every DynamoDB request since the
#	                last reset, in order of arrival: t in seconds since the
#	                first, whether it asked for ConsumedCapacity, the
#	                capacity units its answer says it consumed (null without
#	                an answer in JSON that says), whether it was throttled
#	                here (by capacity mode or a script).
#
# test/faultctl.py is the command-line client the regress tests use.

import argparse
import base64
import http.client
import json
import os
import random
import re
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

READS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
          "TransactWriteItems"}
ACCOUNT = "123456789012"

KINDS = ["throughput", "throttling", "500", "503", "reset_before",
         "reset_after", "delay", "truncate", "badjson"]
# kinds that are only chosen when named (not part of the default mix)
EXTRA_KINDS = ["unprocessed", "unprocessed_all", "conflict"]

ERRORS = {
    "throughput": (400, "com.amazonaws.dynamodb.v20120810#"
                   "ProvisionedThroughputExceededException",
                   "The level of configured provisioned throughput for the "
                   "table was exceeded. Consider increasing your "
                   "provisioning level with the UpdateTable API."),
    "throttling": (400, "com.amazon.coral.availability#ThrottlingException",
                   "Rate of requests exceeds the allowed throughput."),
    "500": (500, "com.amazon.coral.service#InternalServerError",
            "The server encountered an internal error trying to fulfill "
            "the request."),
    "503": (503, "com.amazon.coral.service#ServiceUnavailableException",
            "The service is currently unavailable or busy."),
}


class FaultState:
    """Fault configuration and counters, shared by all handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.configure({"mode": "off"})
        self.reset()

    def configure(self, cfg):
        mode = cfg.get("mode", "off")
        if mode not in ("off", "rate", "script", "capacity"):
            raise ValueError("unknown mode %r" % mode)
        kinds = cfg.get("kinds") or KINDS
        for k in kinds:
            if k not in KINDS + EXTRA_KINDS:
                raise ValueError("unknown fault kind %r" % k)
        script = []
        for s in cfg.get("script", []):
            if isinstance(s, str):
                s = {"kind": s}
            if s.get("kind") not in KINDS + EXTRA_KINDS + ["none", "patch"]:
                raise ValueError("unknown fault kind %r" % s.get("kind"))
            script.append(s)
        rate = float(cfg.get("rate", 0.0))
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        units = {"read": float(cfg.get("read_units") or 0),
                 "write": float(cfg.get("write_units") or 0)}
        window = float(cfg.get("window_ms", 1000)) / 1000.0
        if window <= 0 or min(units.values()) < 0:
            raise ValueError("capacity units and window must not be negative")
        with self.lock:
            self.mode = mode
            self.units = units
            self.window = window
            self.rate = rate
            self.kinds = list(kinds)
            self.ops = set(cfg.get("ops") or [])
            self.delay_ms = int(cfg.get("delay_ms", 200))
            self.script = script
            self.rng = random.Random(int(cfg.get("seed", 1)))

    def reset(self):
        with self.lock:
            self.requests = 0
            self.forwarded = 0
            self.injected = {}
            self.by_op = {}
            self.arrivals = []
            self.log = []

    def over_capacity(self, entry, now):
        """Capacity mode: whether the entry's kind is above its units."""
        units = self.units.get(entry["kind"]) if entry["kind"] else 0
        if not units:
            return False
        used = sum(e["units"] for e in self.log
                   if e["kind"] == entry["kind"] and e["units"]
                   and e["at"] >= now - self.window)
        return used > units * self.window

    def decide(self, op, info):
        """Counts one DynamoDB request; returns (kind or None, delay ms,
        reasons wanted, its log entry)."""
        with self.lock:
            now = time.monotonic()
            self.requests += 1
            self.by_op[op] = self.by_op.get(op, 0) + 1
            self.arrivals.append(now)
            entry = dict(info, at=now, op=op, units=None, throttled=False,
                         kind="read" if op in READS else
                         "write" if op in WRITES else None)
            self.log.append(entry)
            if self.mode == "off" or (self.ops and op not in self.ops):
                return None, 0, False, entry
            reasons = False
            if self.mode == "capacity":
                if not self.over_capacity(entry, now):
                    return None, 0, False, entry
                kind, ms, reasons = "throughput", 0, True
            elif self.mode == "script":
                if not self.script:
                    self.mode = "off"
                    return None, 0, False, entry
                s = self.script.pop(0)
                kind, ms = s["kind"], int(s.get("ms", self.delay_ms))
                reasons = bool(s.get("reasons"))
                if kind == "patch":
                    entry["patch"] = s.get("patch") or {}
                if not self.script:
                    self.mode = "off"
                if kind == "none":
                    return None, 0, False, entry
            else:
                # two draws per request whatever the outcome: reproducible
                hit = self.rng.random() < self.rate
                kind = self.rng.choice(self.kinds)
                ms = self.delay_ms
                if not hit:
                    return None, 0, False, entry
            self.injected[kind] = self.injected.get(kind, 0) + 1
            entry["throttled"] = kind in ERRORS and kind in ("throughput",
                                                             "throttling")
            return kind, ms, reasons, entry

    def record_answer(self, entry, status, data):
        """Notes the capacity an answer says its request consumed."""
        if status != 200:
            return
        try:
            cap = json.loads(data).get("ConsumedCapacity")
        except (ValueError, AttributeError):
            return
        parts = cap if isinstance(cap, list) else [cap]
        units = [p.get("CapacityUnits") for p in parts if isinstance(p, dict)]
        units = [u for u in units if isinstance(u, (int, float))]
        if units:
            with self.lock:
                entry["units"] = float(sum(units))

    def log_entries(self):
        with self.lock:
            t0 = self.log[0]["at"] if self.log else 0
            return [{"t": round(e["at"] - t0, 6), "op": e["op"],
                     "table": e["table"], "asked": e["asked"],
                     "units": e["units"], "throttled": e["throttled"]}
                    for e in self.log]

    def count_forwarded(self):
        with self.lock:
            self.forwarded += 1

    def stats(self):
        with self.lock:
            gaps = [b - a for a, b in zip(self.arrivals, self.arrivals[1:])]
            return {
                "mode": self.mode,
                "requests": self.requests,
                "forwarded": self.forwarded,
                "injected": dict(self.injected),
                "injected_total": sum(self.injected.values()),
                "by_op": dict(self.by_op),
                "min_spacing_ms": round(min(gaps) * 1000, 1) if gaps else None,
                "mean_spacing_ms":
                    round(sum(gaps) / len(gaps) * 1000, 1) if gaps else None,
            }


STATE = FaultState()
INDEXES = {}					# (table, index) -> declaration (POST /__index)
INDEXES_LOCK = threading.Lock()


def declare_index(cfg):
    table, index = cfg.get("table"), cfg.get("index")
    if not isinstance(table, str) or not isinstance(index, str):
        raise ValueError("an index needs a table and an index name")
    with INDEXES_LOCK:
        if cfg.get("drop"):
            INDEXES.pop((table, index), None)
            return
        hash_attrs, range_attrs = list(cfg.get("hash") or []), list(cfg.get("range") or [])
        if not 1 <= len(hash_attrs) <= 4 or len(range_attrs) > 4:
            raise ValueError("1 to 4 partition-key and 0 to 4 sort-key attributes")
        INDEXES[(table, index)] = {
            "hash": hash_attrs, "range": range_attrs,
            "types": dict(cfg.get("types") or {}),
            "projection": cfg.get("projection", "ALL")}


def index_of(table, index):
    with INDEXES_LOCK:
        return INDEXES.get((table, index))


def describe_with_indexes(data):
    """A DescribeTable answer with the declared indexes of its table added."""
    resp = json.loads(data)
    t = resp.get("Table", {})
    with INDEXES_LOCK:
        mine = [(i, d) for (tab, i), d in INDEXES.items() if tab == t.get("TableName")]
    if not mine:
        return data
    defs = t.setdefault("AttributeDefinitions", [])
    gsis = t.setdefault("GlobalSecondaryIndexes", [])
    for name, d in mine:
        gsis[:] = [g for g in gsis if g.get("IndexName") != name]
        gsis.append({
            "IndexName": name, "IndexStatus": "ACTIVE",
            "KeySchema": [{"AttributeName": a, "KeyType": "HASH"} for a in d["hash"]] +
                         [{"AttributeName": a, "KeyType": "RANGE"} for a in d["range"]],
            "Projection": {"ProjectionType": d["projection"]},
            "ItemCount": 0, "IndexSizeBytes": 0})
        for a in d["hash"] + d["range"]:
            if not any(x.get("AttributeName") == a for x in defs):
                defs.append({"AttributeName": a, "AttributeType": d["types"].get(a, "S")})
    return json.dumps(resp).encode()


KEY_TERM = re.compile(
    r"\s*(?:(#\w+|\w+)\s*(=|<=|<|>=|>)\s*(:\w+)"
    r"|(#\w+|\w+)\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)"
    r"|begins_with\s*\(\s*(#\w+|\w+)\s*,\s*(:\w+)\s*\))\s*(AND\b|$)", re.I)


class KeyConditionError(ValueError):
    pass


def key_terms(expr, names):
    """[(attribute, op, [value placeholders])] of a key condition."""
    terms, pos = [], 0
    while pos < len(expr):
        m = KEY_TERM.match(expr, pos)
        if not m:
            raise KeyConditionError("Invalid KeyConditionExpression: %s" % expr)
        if m.group(1):
            terms.append((m.group(1), m.group(2), [m.group(3)]))
        elif m.group(4):
            terms.append((m.group(4), "BETWEEN", [m.group(5), m.group(6)]))
        else:
            terms.append((m.group(7), "begins_with", [m.group(8)]))
        pos = m.end()
        if not m.group(9):
            break
    return [(names.get(a, a), op, vals) for a, op, vals in terms]


def check_key_condition(terms, decl):
    """DynamoDB's rules for a multi-attribute key: raises KeyConditionError."""
    by_attr = {}
    for a, op, _v in terms:
        if a in by_attr:
            raise KeyConditionError("KeyConditionExpression names %s twice" % a)
        by_attr[a] = op
    for a in decl["hash"]:
        if by_attr.get(a) != "=":
            raise KeyConditionError(
                "Query condition missed key schema element: %s (every partition key "
                "attribute needs an equality condition)" % a)
    seen_range = [a for a in decl["range"] if a in by_attr]
    if seen_range != decl["range"][:len(seen_range)]:
        raise KeyConditionError("Sort key attributes must be used left to right")
    for a in seen_range[:-1]:
        if by_attr[a] != "=":
            raise KeyConditionError("Only the last sort key attribute may have a range condition")
    for a in by_attr:
        if a not in decl["hash"] and a not in decl["range"]:
            raise KeyConditionError("Query key condition not supported: %s is not a key "
                                    "attribute of the index" % a)


def av_sort_key(av):
    if av is None:
        return (0, b"")
    if "N" in av:
        return (1, Decimal(av["N"]))
    if "S" in av:
        return (1, av["S"].encode("utf-8"))
    if "B" in av:
        return (1, base64.b64decode(av["B"]))
    return (2, json.dumps(av, sort_keys=True).encode())


def item_key(item, attrs):
    return json.dumps({a: item.get(a) for a in attrs}, sort_keys=True)

UPSTREAM = None					# (host, port)
LOG = None


def log(msg):
    if LOG:
        t = time.time()
        LOG.write("%s.%03d %s\n" % (time.strftime("%H:%M:%S", time.localtime(t)),
                                    int(t * 1000) % 1000, msg))
        LOG.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultproxy"
    sys_version = ""
    timeout = 600				# idle keep-alive connections end eventually

    def setup(self):
        super().setup()
        self.upstream = None
        try:
            # answers go out in one write; no Nagle delays on small ones
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY,
                                       1)
        except OSError:
            pass

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        if self.upstream:
            self.upstream.close()

    def log_message(self, fmt, *args):
        log("%s %s" % (self.client_address[1], fmt % args))

    # ---- plumbing --------------------------------------------------------
    def send_bytes(self, status, body, ctype="application/x-amz-json-1.0",
                   extra=None, length=None):
        self.log_request(status)
        head = ["HTTP/1.1 %d %s" % (status, self.responses.get(
                    status, ("",))[0]),
                "Server: faultproxy",
                "Content-Type: " + ctype,
                "Content-Length: %d" % (len(body) if length is None
                                        else length)]
        head += ["%s: %s" % kv for kv in (extra or [])]
        if self.close_connection:
            head.append("Connection: close")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
                         + body)
        self.wfile.flush()

    def reset_connection(self):
        """Drops the client connection with a TCP RST (no answer)."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.rfile.close()		# it holds a reference to the socket
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True
        self.wfile = _Discard()

    def forward(self, body):
        """Sends the request to the server; returns (status, headers, body)."""
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("connection", "keep-alive",
                                        "proxy-connection", "content-length")}
        for attempt in (1, 2):
            if self.upstream is None:
                self.upstream = http.client.HTTPConnection(*UPSTREAM,
                                                           timeout=60)
                self.upstream.connect()
                self.upstream.sock.setsockopt(socket.IPPROTO_TCP,
                                              socket.TCP_NODELAY, 1)
            try:
                self.upstream.request("POST", self.path, body, headers)
                resp = self.upstream.getresponse()
                data = resp.read()
                STATE.count_forwarded()
                return resp.status, resp.getheaders(), data
            except (OSError, http.client.HTTPException):
                self.upstream.close()
                self.upstream = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    # ---- indexes the servers cannot make (POST /__index) ------------------
    def ask_upstream(self, op, payload):
        """One request of operation op to the server; its answer as JSON."""
        saved = self.headers.get("X-Amz-Target")
        del self.headers["X-Amz-Target"]
        self.headers["X-Amz-Target"] = "DynamoDB_20120810." + op
        try:
            status, _headers, data = self.forward(json.dumps(payload).encode())
        finally:
            del self.headers["X-Amz-Target"]
            self.headers["X-Amz-Target"] = saved
        return status, json.loads(data or b"{}")

    def scan_all(self, req, filter_expr):
        """Every item of the table that filter_expr admits."""
        items, start = [], None
        while True:
            scan = {"TableName": req["TableName"], "FilterExpression": filter_expr}
            # only the placeholders the filter uses: servers refuse unused ones
            used = set(re.findall(r"[#:]\w+", filter_expr))
            for k in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
                mine = {p: v for p, v in req.get(k, {}).items() if p in used}
                if mine:
                    scan[k] = mine
            if start:
                scan["ExclusiveStartKey"] = start
            status, resp = self.ask_upstream("Scan", scan)
            if status != 200:
                raise KeyConditionError(resp.get("message") or resp.get("Message") or "Scan failed")
            items += resp.get("Items", [])
            start = resp.get("LastEvaluatedKey")
            if not start:
                return items

    def answer_index_query(self, req, decl):
        """A Query on a declared multi-attribute index, answered from Scans."""
        names = req.get("ExpressionAttributeNames", {})
        try:
            terms = key_terms(req.get("KeyConditionExpression", ""), names)
            check_key_condition(terms, decl)
            kc = req["KeyConditionExpression"]
            matching = self.scan_all(req, kc)
            kept = None
            if req.get("FilterExpression"):
                kept = set(item_key(i, sorted(i)) for i in
                           self.scan_all(req, "(%s) AND (%s)" % (kc, req["FilterExpression"])))
        except KeyConditionError as e:
            self.send_bytes(400, json.dumps({
                "__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
                "message": str(e)}).encode())
            return
        status, desc = self.ask_upstream("DescribeTable", {"TableName": req["TableName"]})
        table_keys = [k["AttributeName"] for k in desc.get("Table", {}).get("KeySchema", [])]
        order = decl["range"] + table_keys
        matching.sort(key=lambda i: [av_sort_key(i.get(a)) for a in order],
                      reverse=req.get("ScanIndexForward", True) is False)
        key_attrs = decl["hash"] + decl["range"] + table_keys
        start = req.get("ExclusiveStartKey")
        if start:
            at = item_key(start, key_attrs)
            pos = [item_key(i, key_attrs) for i in matching].index(at) + 1 \
                if at in [item_key(i, key_attrs) for i in matching] else len(matching)
            matching = matching[pos:]
        limit = req.get("Limit")
        last = None
        if limit is not None and len(matching) > limit:
            matching = matching[:limit]
            last = {a: matching[-1][a] for a in key_attrs if a in matching[-1]}
        scanned = len(matching)
        if kept is not None:
            matching = [i for i in matching if item_key(i, sorted(i)) in kept]
        out = {"Count": len(matching), "ScannedCount": scanned}
        if req.get("Select") != "COUNT":
            proj = req.get("ProjectionExpression")
            if proj:
                want = [names.get(p.strip(), p.strip()) for p in proj.split(",")]
                matching = [{a: i[a] for a in want if a in i} for i in matching]
            out["Items"] = matching
        if last:
            out["LastEvaluatedKey"] = last
        if req.get("ReturnConsumedCapacity") in ("TOTAL", "INDEXES"):
            out["ConsumedCapacity"] = {"TableName": req["TableName"], "CapacityUnits": 0.5}
        self.send_bytes(200, json.dumps(out).encode())

    # ---- control ---------------------------------------------------------
    def control(self, body):
        try:
            if self.command == "GET" and self.path == "/__stats":
                out = STATE.stats()
            elif self.command == "GET" and self.path == "/__log":
                out = {"entries": STATE.log_entries()}
            elif self.command == "POST" and self.path == "/__fault":
                STATE.configure(json.loads(body or b"{}"))
                out = {"ok": True}
            elif self.command == "POST" and self.path == "/__reset":
                STATE.reset()
                out = {"ok": True}
            elif self.command == "POST" and self.path == "/__index":
                declare_index(json.loads(body or b"{}"))
                out = {"ok": True}
            else:
                self.send_bytes(404, b'{"error": "no such control path"}',
                                "application/json")
                return
        except (ValueError, TypeError) as e:
            self.send_bytes(400, json.dumps({"error": str(e)}).encode(),
                            "application/json")
            return
        self.send_bytes(200, json.dumps(out).encode(), "application/json")

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        if self.path.startswith("/__"):
            self.control(b"")
        else:
            self.send_bytes(404, b"", "text/plain")

    def do_POST(self):
        body = self.read_body()
        if self.path.startswith("/__"):
            self.control(body)
            return
        target = self.headers.get("X-Amz-Target", "")
        op = target.rsplit(".", 1)[-1] if target else "?"
        info = request_info(body)
        kind, ms, reasons, entry = STATE.decide(op, info)
        if kind:
            log("fault %s on %s" % (kind, op))

        if kind in ERRORS:
            status, typ, msg = ERRORS[kind]
            answer = {"__type": typ, "message": msg}
            if reasons:
                answer["ThrottlingReasons"] = throttling_reasons(op, info)
            self.send_bytes(status, json.dumps(answer).encode())
            return
        if kind == "reset_before":
            self.reset_connection()
            return
        if kind == "conflict":
            self.send_bytes(400, conflict_answer(op, body))
            return

        if op == "Query":
            req = json.loads(body or b"{}")
            decl = index_of(req.get("TableName"), req.get("IndexName"))
            if decl is not None:
                self.answer_index_query(req, decl)
                return

        held = None
        if kind == "unprocessed_all" and op in ("BatchWriteItem",
                                                "BatchGetItem"):
            self.send_bytes(200, all_unprocessed(op, body))
            return
        if kind == "unprocessed" and op in ("BatchWriteItem", "BatchGetItem"):
            body, held = split_batch(op, body)

        try:
            status, headers, data = self.forward(body)
        except (OSError, http.client.HTTPException) as e:
            log("upstream failed: %s" % e)
            self.send_bytes(502, b'{"message": "upstream failed"}')
            return
        keep = [(k, v) for k, v in headers
                if k.lower() in ("x-amzn-requestid", "x-amz-crc32")]
        STATE.record_answer(entry, status, data)

        if op == "DescribeTable" and status == 200:
            data = describe_with_indexes(data)
        if kind == "patch" and status == 200:
            answer = json.loads(data)
            merge_json(answer, entry.get("patch", {}))
            data = json.dumps(answer).encode()
            headers = [(k, v) for k, v in headers if k.lower() != "x-amz-crc32"]
            keep = [(k, v) for k, v in keep if k.lower() != "x-amz-crc32"]
        if held and status == 200:
            data = merge_unprocessed(op, data, held)
            headers = [(k, v) for k, v in headers if k.lower() != "x-amz-crc32"]
        if kind == "reset_after":
            self.reset_connection()
            return
        if kind == "delay":
            time.sleep(ms / 1000.0)
        if kind == "truncate":
            self.send_bytes(status, data[:len(data) // 2],
                            extra=[keep[0]] if keep else None,
                            length=len(data))
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if kind == "badjson":
            data = data[:len(data) // 2]
            keep = [(k, v) for k, v in keep if k.lower() != "x-amz-crc32"]
        ctype = dict((k.lower(), v) for k, v in headers).get(
            "content-type", "application/x-amz-json-1.0")
        self.send_bytes(status, data, ctype, keep)


def conflict_answer(op, body):
    """What DynamoDB answers (nothing applied) when another transaction is
    changing an item of the request: a TransactWriteItems is cancelled with
    the reason TransactionConflict at its first action, others fail with
    TransactionConflictException."""
    if op != "TransactWriteItems":
        return json.dumps({
            "__type": "com.amazonaws.dynamodb.v20120810#"
                      "TransactionConflictException",
            "message": "Transaction is ongoing for the item"}).encode()
    n = len(json.loads(body or b"{}").get("TransactItems", []))
    reasons = [{"Code": "None"} for _ in range(n)]
    if reasons:
        reasons[0] = {"Code": "TransactionConflict",
                      "Message": "Transaction is ongoing for the item"}
    return json.dumps({
        "__type": "com.amazonaws.dynamodb.v20120810#"
                  "TransactionCanceledException",
        "message": "Transaction cancelled, please refer cancellation "
                   "reasons for specific reasons [%s]" % ", ".join(
                       r["Code"] for r in reasons),
        "CancellationReasons": reasons}).encode()


def request_info(body):
    """The table (and index) a request names, and whether it asks for
    ConsumedCapacity."""
    try:
        req = json.loads(body)
    except ValueError:
        req = None
    if not isinstance(req, dict):
        return {"table": None, "index": None, "asked": False}
    table = req.get("TableName")
    items = req.get("RequestItems")
    if table is None and isinstance(items, dict) and items:
        table = sorted(items)[0]
    asked = req.get("ReturnConsumedCapacity") in ("TOTAL", "INDEXES")
    return {"table": table, "index": req.get("IndexName"), "asked": asked}


def throttling_reasons(op, info):
    """DynamoDB's ThrottlingReasons for a request over provisioned capacity."""
    what = "Write" if op in WRITES else "Read"
    arn = "arn:aws:dynamodb:us-east-1:%s:table/%s" % (ACCOUNT, info["table"])
    if info.get("index"):
        return [{"reason": "Index%sProvisionedThroughputExceeded" % what,
                 "resource": arn + "/index/" + info["index"]}]
    return [{"reason": "Table%sProvisionedThroughputExceeded" % what,
             "resource": arn}]


def merge_json(into, patch):
    """Merges the object patch into the object into, member by member."""
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            merge_json(into[k], v)
        else:
            into[k] = v


def split_batch(op, body):
    """Keeps the first half of each table's batch; returns (body, held)."""
    req = json.loads(body)
    held = {}
    items = req.get("RequestItems", {})
    for table, part in items.items():
        if op == "BatchWriteItem":
            n = len(part)
            if n > 1:
                items[table], held[table] = part[:(n + 1) // 2], part[(n + 1) // 2:]
        else:
            keys = part.get("Keys", [])
            n = len(keys)
            if n > 1:
                rest = dict(part)
                part["Keys"], rest["Keys"] = keys[:(n + 1) // 2], keys[(n + 1) // 2:]
                held[table] = rest
    return json.dumps(req).encode(), held


def all_unprocessed(op, body):
    """An answer that processed nothing: every request comes back."""
    items = json.loads(body).get("RequestItems", {})
    if op == "BatchWriteItem":
        return json.dumps({"UnprocessedItems": items}).encode()
    return json.dumps({"Responses": {t: [] for t in items},
                       "UnprocessedKeys": items}).encode()


def merge_unprocessed(op, data, held):
    """Adds the held requests to the answer's unprocessed ones."""
    resp = json.loads(data)
    field = "UnprocessedItems" if op == "BatchWriteItem" else "UnprocessedKeys"
    unp = resp.setdefault(field, {})
    for table, part in held.items():
        if op == "BatchWriteItem":
            unp.setdefault(table, []).extend(part)
        elif table in unp:
            unp[table]["Keys"].extend(part["Keys"])
        else:
            unp[table] = part
    return json.dumps(resp).encode()


class _Discard:
    """Stands in for the output of a connection that was reset."""
    closed = False

    def write(self, b):
        return len(b)

    def flush(self):
        pass

    def close(self):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, tls_context=None):
        super().__init__(addr, Handler)
        self.tls_context = tls_context

    def finish_request(self, request, client_address):
        # the TLS handshake runs in the connection's thread, not the
        # accepting one, and a failed handshake only ends that thread
        if self.tls_context is not None:
            try:
                request.settimeout(30)
                request = self.tls_context.wrap_socket(request,
                                                       server_side=True)
                request.settimeout(None)
            except (OSError, ssl.SSLError) as e:
                log("TLS handshake failed: %s" % e)
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        log("error on connection %s: %s" % (client_address,
                                            sys.exc_info()[1]))


def main():
    global UPSTREAM, LOG

    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--log")
    args = ap.parse_args()

    u = urllib.parse.urlsplit(args.upstream)
    UPSTREAM = (u.hostname, u.port or 80)
    if args.log:
        LOG = open(args.log, "a")

    servers = [Server(("127.0.0.1", 0))]
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        servers.append(Server(("127.0.0.1", 0), ctx))
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    ports = " ".join(str(s.server_address[1]) for s in servers)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(ports + "\n")
    os.rename(args.port_file + ".tmp", args.port_file)
    log("listening on %s, upstream %s:%d" % (ports, *UPSTREAM))
    try:
        servers[0].serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
