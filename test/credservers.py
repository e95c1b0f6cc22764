#!/usr/bin/python3
"""test/credservers.py
	  Local stand-ins for the AWS credential services ddbrel talks to, for
	  the regress tests: STS, the EC2 instance metadata service (IMDSv2), the
	  ECS / EKS Pod Identity container endpoint, and a DynamoDB front that
	  verifies every request's signature before passing it to dynalite.

Usage: credservers.py --dir DIR --port-file FILE --log FILE
	   [--env-key AKID --env-secret SECRET]

Listens on five free 127.0.0.1 ports and writes them, space-separated, to
the port file: sts imds ecs ddb ctl.  Writes into DIR what the PostgreSQL
server's environment points at: config and credentials (AWS profiles),
web-identity-token, container-token, and issued-secrets (every secret and
token these servers know or hand out, one per line, for
test/secrets_check.py).

Each server checks what it receives, as the real one would, and counts it:
  STS	  AssumeRole must be SigV4-signed (service sts) by a key it knows; the
		  signature is recomputed with botocore from the request as
		  received, the session token must match the key's, the key must
		  not have expired.  Roles: .../ddbrel-reader (anyone),
		  .../ddbrel-cross (needs ExternalId ddbrel-ext-7Qm).
		  AssumeRoleWithWebIdentity needs the token of web-identity-token
		  and role .../ddbrel-web.  Answers are STS XML.
  IMDS	  PUT /latest/api/token with a TTL header gives a session token;
		  every GET must carry a valid one, else 401, and it counts as an
		  IMDSv1 attempt.
  ECS	  GET with the Authorization header holding container-token.
  DDB	  every request signed (service dynamodb) by a key it knows, with a
		  valid signature, the right session token and not expired;
		  otherwise DynamoDB's error JSON.  Good requests go to the
		  upstream (dynalite), set through the control port.
Credentials they issue expire after "lifetime" seconds (default 3600).
The stats count, among others, ddb_rejected (DynamoDB requests refused)
and ddb_signer_keys (the access keys that signed the accepted ones).

Control port (JSON): GET /stats; POST /reset; POST /config {"lifetime": N,
"upstream": URL, "imds": "ok"|"refuse_put"|"no_role", "ecs": "ok"|"deny",
"web": "ok"|"deny"}; POST /issue
{"issuer": NAME} gives a fresh credential_process answer.
test/credctl.py is its command-line client.
"""
import argparse
import base64
import datetime
import http.client
import http.server
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from xml.sax.saxutils import escape

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCOUNT = "123456789012"
ROLE_READER = "arn:aws:iam::%s:role/ddbrel-reader" % ACCOUNT
ROLE_CROSS = "arn:aws:iam::%s:role/ddbrel-cross" % ACCOUNT
ROLE_WEB = "arn:aws:iam::%s:role/ddbrel-web" % ACCOUNT
EXTERNAL_ID = "ddbrel-ext-7Qm"
INSTANCE_ROLE = "ddbrel-instance-role"

# Long-term keys the servers know (besides the ones they issue): the user
# mapping keys of sql/28_credentials.sql and the profile "static".
STATIC_KEYS = {
    "AKIDCREDTESTUM": "credtest-um-SECRET-Vb71xQ",
    "AKIDCREDTESTPROFILE": "credtest-profile-SECRET-Lr4pZ2",
}

LOCK = threading.Lock()
STATE = {}
KEYS = {}          # akid -> dict(secret, token, expires, issuer)
SECRETS_FILE = None
LOG = None


def log(msg):
    with LOCK:
        LOG.write("%s %s\n" % (time.strftime("%H:%M:%S"), msg))
        LOG.flush()


def reset_stats():
    STATE["stats"] = {}
    STATE["last"] = {}
    STATE["ddb_keys"] = set()


def count(name, n=1):
    with LOCK:
        STATE["stats"][name] = STATE["stats"].get(name, 0) + n


def note(name, value):
    with LOCK:
        STATE["last"][name] = value


def remember_secret(s):
    with LOCK:
        SECRETS_FILE.write(s + "\n")
        SECRETS_FILE.flush()


def issue(issuer, lifetime=None):
    """Mints temporary credentials and remembers them."""
    if lifetime is None:
        lifetime = STATE["lifetime"]
    with LOCK:
        STATE["serial"] += 1
        akid = "ASIA%s%08d" % (issuer.upper().replace("-", "")[:4].ljust(4, "X"),
                               STATE["serial"])
    secret = "tmp-SECRET-" + secrets.token_urlsafe(24)
    token = "tmp-TOKEN-" + base64.b64encode(secrets.token_bytes(96)).decode()
    expires = time.time() + lifetime
    KEYS[akid] = dict(secret=secret, token=token, expires=expires, issuer=issuer)
    remember_secret(secret)
    remember_secret(token)
    count("issued_" + issuer)
    note("issued_" + issuer, akid)
    return akid, secret, token, expires


def iso(t):
    return datetime.datetime.utcfromtimestamp(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def verify_sigv4(method, path, headers, body, service):
    """Checks a request's SigV4 signature with botocore.  Returns
    (akid, key info or None for a static key, None) or (akid, None, (code, message))."""
    h = {k.lower(): v for k, v in headers.items()}
    auth = h.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return None, None, ("MissingAuthenticationToken", "Request is missing Authentication Token")
    fields = {}
    for part in auth[len("AWS4-HMAC-SHA256 "):].split(","):
        k, _, v = part.strip().partition("=")
        fields[k] = v
    try:
        akid, date, region, svc, term = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except (KeyError, ValueError):
        return None, None, ("IncompleteSignature", "Authorization header is malformed")
    info = KEYS.get(akid)
    secret = info["secret"] if info else STATIC_KEYS.get(akid)
    if akid == STATE.get("env_key"):
        secret = STATE["env_secret"]
    if secret is None:
        return akid, None, ("InvalidClientTokenId" if service == "sts" else "UnrecognizedClientException",
                            "The security token included in the request is invalid.")
    if svc != service or term != "aws4_request" or date != h.get("x-amz-date", "")[:8]:
        return akid, None, ("SignatureDoesNotMatch", "Credential should be scoped to a valid service and date.")
    token = info["token"] if info else None
    if token is not None and h.get("x-amz-security-token") != token:
        return akid, None, ("InvalidClientTokenId" if service == "sts" else "UnrecognizedClientException",
                            "The security token included in the request is invalid.")
    if token is None and "x-amz-security-token" in h:
        return akid, None, ("InvalidClientTokenId", "The security token included in the request is invalid.")
    if token is not None and "x-amz-security-token" not in signed:
        return akid, None, ("SignatureDoesNotMatch", "The session token was not signed.")
    if info and time.time() >= info["expires"]:
        return akid, None, ("ExpiredToken" if service == "sts" else "ExpiredTokenException",
                            "The security token included in the request is expired")
    try:
        when = datetime.datetime.strptime(h["x-amz-date"], "%Y%m%dT%H%M%SZ")
    except (KeyError, ValueError):
        return akid, None, ("SignatureDoesNotMatch", "X-Amz-Date is missing or malformed.")
    if abs((datetime.datetime.utcnow() - when).total_seconds()) > 300:
        return akid, None, ("SignatureDoesNotMatch", "Signature expired.")
    req = AWSRequest(method=method, url="http://%s%s" % (h.get("host", ""), path),
                     data=body, headers={k: h[k] for k in signed if k in h})
    req.context["timestamp"] = h["x-amz-date"]
    signer = botocore.auth.SigV4Auth(Credentials(akid, secret, token), service, region)
    creq = signer.canonical_request(req)
    want = signer.signature(signer.string_to_sign(req, creq), req)
    if want != signature:
        return akid, None, ("SignatureDoesNotMatch",
                            "The request signature we calculated does not match the signature you provided.")
    note(service + "_region", region)
    return akid, info, None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    kind = None

    def log_message(self, fmt, *args):
        log("%s %s" % (self.kind, fmt % args))

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, text, ctype="text/plain"):
        data = text.encode() if isinstance(text, str) else text
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# ---- STS ---------------------------------------------------------------

def sts_error(status, code, message):
    return status, ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                    "<Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
                    "<RequestId>r-%s</RequestId></ErrorResponse>"
                    % (escape(code), escape(message), secrets.token_hex(4)))


def sts_creds(action, issuer, role, session):
    akid, secret, token, expires = issue(issuer)
    return 200, ('<{a}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n'
                 "  <{a}Result>\n"
                 "    <AssumedRoleUser><Arn>arn:aws:sts::{acct}:assumed-role/{r}/{s}</Arn>"
                 "<AssumedRoleId>AROATEST:{s}</AssumedRoleId></AssumedRoleUser>\n"
                 "    <Credentials>\n"
                 "      <AccessKeyId>{akid}</AccessKeyId>\n"
                 "      <SecretAccessKey>{secret}</SecretAccessKey>\n"
                 "      <SessionToken>{token}</SessionToken>\n"
                 "      <Expiration>{exp}</Expiration>\n"
                 "    </Credentials>\n"
                 "  </{a}Result>\n"
                 "  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>\n"
                 "</{a}Response>\n").format(a=action, acct=ACCOUNT, r=escape(role.split("/")[-1]),
                                            s=escape(session), akid=akid, secret=escape(secret),
                                            token=escape(token), exp=iso(expires))


class StsHandler(Handler):
    kind = "sts"

    def do_POST(self):
        raw = self.body()
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode(), keep_blank_values=True).items()}
        action = form.get("Action")
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            status, text = sts_error(400, "InvalidParameterValue", "Content-Type must be form-encoded.")
        elif form.get("Version") != "2011-06-15":
            status, text = sts_error(400, "InvalidParameterValue", "Version must be 2011-06-15.")
        elif action == "AssumeRole":
            status, text = self.assume_role(raw, form)
        elif action == "AssumeRoleWithWebIdentity":
            status, text = self.web_identity(form)
        else:
            status, text = sts_error(400, "InvalidAction", "Could not find operation %s." % action)
        count("sts_http_%d" % status)
        self.reply(status, text, "text/xml")

    def assume_role(self, raw, form):
        count("sts_assume_role")
        akid, info, err = verify_sigv4("POST", self.path, dict(self.headers.items()), raw, "sts")
        if err:
            count("sts_rejected")
            note("sts_rejected", err[0])
            return sts_error(403 if err[0] != "ExpiredToken" else 400, *err)
        note("sts_signer", info["issuer"] if info else "static:" + akid)
        role = form.get("RoleArn", "")
        session = form.get("RoleSessionName", "")
        note("sts_role", role)
        note("sts_session_name", session)
        note("sts_duration", form.get("DurationSeconds", "(none)"))
        note("sts_external_id", "given" if "ExternalId" in form else "(none)")
        if not (2 <= len(session) <= 64):
            return sts_error(400, "ValidationError", "RoleSessionName must be 2 to 64 characters.")
        if role == ROLE_CROSS and form.get("ExternalId") != EXTERNAL_ID:
            return sts_error(403, "AccessDenied",
                             "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                             % (akid, role))
        if role not in (ROLE_READER, ROLE_CROSS):
            return sts_error(403, "AccessDenied",
                             "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                             % (akid, role))
        return sts_creds("AssumeRole", "role", role, session)

    def web_identity(self, form):
        count("sts_web_identity")
        note("sts_web_signed", "yes" if "Authorization" in self.headers else "no")
        note("sts_session_name", form.get("RoleSessionName", ""))
        if STATE["web"] == "deny" or form.get("WebIdentityToken") != STATE["web_token"]:
            return sts_error(400, "InvalidIdentityToken", "The web identity token could not be validated.")
        if form.get("RoleArn") != ROLE_WEB:
            return sts_error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        return sts_creds("AssumeRoleWithWebIdentity", "web", ROLE_WEB, form.get("RoleSessionName", "s"))


# ---- IMDS --------------------------------------------------------------

class ImdsHandler(Handler):
    kind = "imds"

    def do_PUT(self):
        self.body()
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        count("imds_put")
        if self.path != "/latest/api/token":
            return self.reply(404, "Not Found")
        if STATE["imds"] == "refuse_put":
            return self.reply(403, "Forbidden")
        if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.reply(400, "Bad Request")
        tok = "imds-TOKEN-" + secrets.token_urlsafe(32)
        STATE["imds_tokens"].add(tok)
        remember_secret(tok)
        self.reply(200, tok)

    def do_GET(self):
        tok = self.headers.get("X-aws-ec2-metadata-token")
        if tok is None or tok not in STATE["imds_tokens"]:
            count("imds_v1_attempt")
            return self.reply(401, "Unauthorized")
        count("imds_get")
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            if STATE["imds"] == "no_role":
                return self.reply(404, "Not Found")
            return self.reply(200, INSTANCE_ROLE)
        if self.path == base + INSTANCE_ROLE:
            akid, secret, token, expires = issue("imds")
            return self.reply(200, json.dumps({
                "Code": "Success", "LastUpdated": iso(time.time()), "Type": "AWS-HMAC",
                "AccessKeyId": akid, "SecretAccessKey": secret, "Token": token,
                "Expiration": iso(expires)}), "text/plain")
        self.reply(404, "Not Found")

    def do_POST(self):
        count("imds_v1_attempt")
        self.reply(405, "Method Not Allowed")


# ---- container ---------------------------------------------------------

class EcsHandler(Handler):
    kind = "ecs"

    def do_GET(self):
        if self.path != "/v1/credentials":
            return self.reply(404, json.dumps({"code": "NotFound", "message": "no such path"}),
                              "application/json")
        if STATE["ecs"] == "deny" or self.headers.get("Authorization") != STATE["container_token"]:
            count("ecs_denied")
            return self.reply(401, json.dumps({"code": "AccessDeniedException",
                                               "message": "Authorization token is not valid"}),
                              "application/json")
        akid, secret, token, expires = issue("ecs")
        self.reply(200, json.dumps({
            "AccessKeyId": akid, "SecretAccessKey": secret, "Token": token,
            "AccountId": ACCOUNT, "Expiration": iso(expires)}), "application/json")


# ---- DynamoDB front ----------------------------------------------------

class DdbHandler(Handler):
    kind = "ddb"

    def do_POST(self):
        raw = self.body()
        akid, info, err = verify_sigv4("POST", self.path, dict(self.headers.items()), raw, "dynamodb")
        count("ddb_requests")
        if err:
            count("ddb_rejected")
            note("ddb_rejected", err[0])
            code = {"SignatureDoesNotMatch": "InvalidSignatureException",
                    "InvalidClientTokenId": "UnrecognizedClientException",
                    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
                    "IncompleteSignature": "IncompleteSignatureException"}.get(err[0], err[0])
            return self.reply(400, json.dumps({"__type": "com.amazon.coral.service#" + code,
                                               "message": err[1]}), "application/x-amz-json-1.0")
        who = info["issuer"] if info else "static:" + akid
        count("ddb_signed_by_" + who.split(":")[0])
        with LOCK:
            new_key = akid not in STATE["ddb_keys"]
            STATE["ddb_keys"].add(akid)
        if new_key:
            count("ddb_signer_keys")
        note("ddb_signer", who)
        note("ddb_token", "yes" if "X-Amz-Security-Token" in self.headers else "no")
        note("ddb_akid_is_latest", "yes" if info and STATE["last"].get("issued_" + info["issuer"]) == akid
             else "no")
        up = urllib.parse.urlsplit(STATE["upstream"])
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
        try:
            conn.request("POST", "/", body=raw, headers={
                k: v for k, v in self.headers.items()
                if k.lower() in ("content-type", "x-amz-target", "x-amz-date", "authorization",
                                 "x-amz-security-token")})
            resp = conn.getresponse()
            data = resp.read()
            self.reply(resp.status, data, resp.getheader("Content-Type", "application/x-amz-json-1.0"))
        finally:
            conn.close()


# ---- control -----------------------------------------------------------

class CtlHandler(Handler):
    kind = "ctl"

    def do_GET(self):
        if self.path == "/stats":
            with LOCK:
                out = dict(STATE["stats"])
                out.update({"last_" + k: v for k, v in STATE["last"].items()})
            return self.reply(200, json.dumps(out, sort_keys=True), "application/json")
        self.reply(404, "no such path")

    def do_POST(self):
        try:
            req = json.loads(self.body() or b"{}")
        except ValueError:
            return self.reply(400, "bad json")
        if self.path == "/reset":
            with LOCK:
                reset_stats()
        elif self.path == "/config":
            for k in ("lifetime", "upstream", "imds", "ecs", "web"):
                if k in req:
                    STATE[k] = req[k]
        elif self.path == "/issue":
            akid, secret, token, expires = issue(req.get("issuer", "process"))
            return self.reply(200, json.dumps({
                "Version": 1, "AccessKeyId": akid, "SecretAccessKey": secret,
                "SessionToken": token, "Expiration": iso(expires)}), "application/json")
        else:
            return self.reply(404, "no such path")
        self.reply(200, "{}", "application/json")


def write_files(d, ports, root):
    sts, imds, ecs, ddb, ctl = ports
    ctl_url = "http://127.0.0.1:%d" % ctl
    credctl = os.path.join(root, "test", "credctl.py")
    with open(os.path.join(d, "web-identity-token"), "w") as f:
        f.write(STATE["web_token"] + "\n")
    with open(os.path.join(d, "container-token"), "w") as f:
        f.write(STATE["container_token"])
    with open(os.path.join(d, "credentials"), "w") as f:
        f.write("[static]\naws_access_key_id = AKIDCREDTESTPROFILE\n"
                "aws_secret_access_key = %s\n" % STATIC_KEYS["AKIDCREDTESTPROFILE"])
    with open(os.path.join(d, "config"), "w") as f:
        f.write("# written by test/credservers.py\n"
                "[default]\nregion = us-east-1\n\n"
                "[profile process]\n"
                "credential_process = /usr/bin/python3 %s --ctl %s process-credentials\n\n"
                "[profile process_fail]\n"
                "credential_process = /usr/bin/python3 %s process-fail\n\n"
                "[profile chained]\n"
                "role_arn = %s\nsource_profile = static\nexternal_id = %s\n"
                "role_session_name = from-profile\n\n"
                "[profile on_instance]\n"
                "role_arn = %s\ncredential_source = Ec2InstanceMetadata\n\n"
                "[profile sso]\n"
                "sso_session = corp\nsso_account_id = %s\nsso_role_name = Reader\n"
                % (credctl, ctl_url, credctl, ROLE_CROSS, EXTERNAL_ID, ROLE_READER, ACCOUNT))
    for name in os.listdir(d):
        os.chmod(os.path.join(d, name), 0o644)


def main():
    global SECRETS_FILE, LOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--env-key")
    ap.add_argument("--env-secret")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    LOG = open(a.log, "a")
    SECRETS_FILE = open(os.path.join(a.dir, "issued-secrets"), "a")
    os.chmod(os.path.join(a.dir, "issued-secrets"), 0o644)
    STATE.update(lifetime=3600, upstream=None, imds="ok", ecs="ok", web="ok", serial=0,
                 imds_tokens=set(),
                 env_key=a.env_key, env_secret=a.env_secret,
                 web_token="eyJhbGciOiJSUzI1NiJ9.web-identity-TOKEN-" + secrets.token_urlsafe(24),
                 container_token="container-TOKEN-" + secrets.token_urlsafe(24))
    reset_stats()
    for s in list(STATIC_KEYS.values()) + [STATE["web_token"], STATE["container_token"]]:
        remember_secret(s)

    servers = []
    for handler in (StsHandler, ImdsHandler, EcsHandler, DdbHandler, CtlHandler):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        srv.daemon_threads = True
        servers.append(srv)
    ports = [s.server_address[1] for s in servers]
    write_files(a.dir, ports, root)
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(" ".join(str(p) for p in ports) + "\n")
    os.rename(tmp, a.port_file)
    log("listening: sts imds ecs ddb ctl = %s" % ports)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
