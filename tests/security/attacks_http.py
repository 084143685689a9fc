"""Smuggling (RFC 9112 6.3), path tricks and header tricks against the live gateway, over raw sockets."""
import base64
import concurrent.futures

import seclib
from main_server import ALICE, BOB, MAX_HEADER
from seclib import h


def basic(user_pw):
    return b"Basic " + base64.b64encode(("%s:%s" % user_pw).encode())


# --------------------------------------------------------------------------- smuggling

def smug(tag):
    """The pipelined request that must never be answered nor reach the upstream."""
    return b"GET /public/SMUG-" + tag.encode() + b" HTTP/1.1\r\nHost: a\r\n\r\n"


def post(tag, head, body, version=b"HTTP/1.1"):
    return (b"POST /public/req-" + tag.encode() + b" " + version + b"\r\nHost: a\r\n" + head + b"\r\n" + body
            + smug(tag))


def get(tag, head=b"", target=None):
    t = target if target is not None else b"/public/req-" + tag.encode()
    return b"GET " + t + b" HTTP/1.1\r\nHost: a\r\n" + head + b"\r\n" + smug(tag)


TE = b"Transfer-Encoding: chunked\r\n"
CHUNK0 = b"0\r\n\r\n"

# (tag, attack text, raw bytes, accepted statuses, may the head reach the upstream (streamed body)?)
# Statuses: RFC 9112 6.3 says 400 + close for unreliable framing; 5.1 400 for space before colon;
# 5.2 obs-fold 400 (or unfold); 2.2 bare CR MUST be rejected or replaced; 431 (RFC 6585) for an
# over-long header field; 414 (RFC 9112 3 "MUST respond with 414") for an over-long request-target.
SMUGGLING = [
    ("cl-te", "CL + TE (CL first)", post("cl-te", b"Content-Length: 6\r\n" + TE, CHUNK0), (400,), False),
    ("te-cl", "TE + CL (TE first)", post("te-cl", TE + b"Content-Length: 6\r\n", CHUNK0), (400,), False),
    ("cl-cl", "two differing Content-Length lines (6, 5)",
     post("cl-cl", b"Content-Length: 6\r\nContent-Length: 5\r\n", b"hello!"), (400,), False),
    ("cl-list", "Content-Length: 6, 5", post("cl-list", b"Content-Length: 6, 5\r\n", b"hello!"), (400,), False),
    ("te-gzip", "TE: gzip (chunked not final)", post("te-gzip", b"Transfer-Encoding: gzip\r\n", CHUNK0),
     (400,), False),
    ("te-gzip-cl", "TE: gzip + Content-Length", post("te-gzip-cl", b"Transfer-Encoding: gzip\r\nContent-Length: 5\r\n",
                                                     b"hello"), (400,), False),
    ("te-chunked-gzip", "TE: chunked, gzip", post("te-chunked-gzip", b"Transfer-Encoding: chunked, gzip\r\n", CHUNK0),
     (400,), False),
    ("te-gzip-chunked", "TE: gzip, chunked (unknown coding; RFC 9112 6.1: 501 SHOULD)",
     post("te-gzip-chunked", b"Transfer-Encoding: gzip, chunked\r\n", CHUNK0), (400, 501), False),
    ("te-xchunked", "TE: xchunked", post("te-xchunked", b"Transfer-Encoding: xchunked\r\n", CHUNK0), (400,), False),
    ("te-chunked-chunked", "TE: chunked, chunked", post("te-chunked-chunked", b"Transfer-Encoding: chunked, chunked\r\n",
                                                        CHUNK0), (400,), False),
    ("te-two-lines", "TE: chunked + TE: identity (two lines)",
     post("te-two-lines", TE + b"Transfer-Encoding: identity\r\n", CHUNK0), (400,), False),
    ("te-quoted", 'TE: "chunked"', post("te-quoted", b'Transfer-Encoding: "chunked"\r\n', CHUNK0), (400,), False),
    ("te-vtab", "TE:<VT>chunked", post("te-vtab", b"Transfer-Encoding:\x0bchunked\r\n", CHUNK0), (400,), False),
    ("te-ff", "TE:<FF>chunked", post("te-ff", b"Transfer-Encoding:\x0cchunked\r\n", CHUNK0), (400,), False),
    ("te-sp-colon", "'Transfer-Encoding : chunked' (space before colon)",
     post("te-sp-colon", b"Transfer-Encoding : chunked\r\n", CHUNK0), (400,), False),
    ("te-leading-sp", "' Transfer-Encoding: chunked' (line starts with SP)",
     post("te-leading-sp", b" Transfer-Encoding: chunked\r\n", CHUNK0), (400,), False),
    ("te-http10", "TE: chunked on HTTP/1.0", post("te-http10", TE, CHUNK0, version=b"HTTP/1.0"), (400,), False),
    ("chunk-overflow", "chunk size ffffffffffffffff1 (hex overflow)",
     post("chunk-overflow", TE, b"ffffffffffffffff1\r\nhello\r\n0\r\n\r\n"), (400,), True),
    ("chunk-2p64", "chunk size 10000000000000000 (2^64)",
     post("chunk-2p64", TE, b"10000000000000000\r\nhello\r\n0\r\n\r\n"), (400,), True),
    ("chunk-negative", "chunk size -5", post("chunk-negative", TE, b"-5\r\nhello\r\n0\r\n\r\n"), (400,), True),
    ("chunk-0x", "chunk size 0x5", post("chunk-0x", TE, b"0x5\r\nhello\r\n0\r\n\r\n"), (400,), True),
    ("chunk-plus", "chunk size +5", post("chunk-plus", TE, b"+5\r\nhello\r\n0\r\n\r\n"), (400,), True),
    ("chunk-lead-sp", "chunk size ' 5'", post("chunk-lead-sp", TE, b" 5\r\nhello\r\n0\r\n\r\n"), (400,), True),
    ("chunk-trail-sp", "chunk size '5 ' (no ext)", post("chunk-trail-sp", TE, b"5 \r\nhello\r\n0\r\n\r\n"), (400,), True),
    ("chunk-no-crlf", "chunk data not followed by CRLF", post("chunk-no-crlf", TE, b"5\r\nhelloXY0\r\n\r\n"), (400,), True),
    ("ext-64k", "chunk extension of 64 KiB", post("ext-64k", TE, b"5;" + b"a=b;" * 16384 + b"x\r\nhello\r\n0\r\n\r\n"),
     (400, 413, 431), True),
    ("ext-bare-lf", "chunk extension ended by bare LF", post("ext-bare-lf", TE, b"5;ext=1\nhello\r\n0\r\n\r\n"),
     (400,), True),
    ("ext-no-name", "chunk extension without a name ('5;')", post("ext-no-name", TE, b"5;\r\nhello\r\n0\r\n\r\n"),
     (400,), True),
    ("ext-nul", "chunk extension with NUL", post("ext-nul", TE, b"5;a=\x00\r\nhello\r\n0\r\n\r\n"), (400,), True),
    ("ext-unterminated-quote", "chunk extension with unterminated quoted-string",
     post("ext-unterminated-quote", TE, b'5;a="x\r\nhello\r\n0\r\n\r\n'), (400,), True),
    ("obs-fold", "obs-fold in a header", get("obs-fold", b"X-Foo: a\r\n b\r\n"), (400,), False),
    ("obs-fold-tab", "obs-fold (HTAB) in a header", get("obs-fold-tab", b"X-Foo: a\r\n\tb\r\n"), (400,), False),
    ("bare-cr", "bare CR in a header value", get("bare-cr", b"X-Foo: a\rb\r\n"), (400,), False),
    ("bare-cr-eol", "header line ended by bare CR", get("bare-cr-eol", b"X-Foo: a\rX-Bar: b\r\n"), (400,), False),
    ("bare-lf", "header line ended by bare LF", get("bare-lf", b"X-Foo: a\nX-Bar: b\r\n"), (400,), False),
    ("nul-value", "NUL byte in a header value", get("nul-value", b"X-Foo: a\x00b\r\n"), (400,), False),
    ("nul-name", "NUL byte in a header name", get("nul-name", b"X-F\x00oo: ab\r\n"), (400,), False),
    ("nul-target", "NUL byte in the request-target", get("nul-target", target=b"/public/a\x00b"), (400,), False),
    ("long-target", "request-target of %d bytes (over the head limit %d)" % (MAX_HEADER + 1000, MAX_HEADER),
     get("long-target", target=b"/public/" + b"a" * (MAX_HEADER + 1000)), (414,), False),
    ("long-header", "header line of %d bytes" % (MAX_HEADER + 1000),
     get("long-header", b"X-Long: " + b"b" * (MAX_HEADER + 1000) + b"\r\n"), (431,), False),
]

# Controls: valid framing, the pipelined request must be answered (proves the probe sees smuggling).
CONTROLS = [
    ("ctl-chunked", "control: valid chunked body + pipelined GET", post("ctl-chunked", TE, b"5\r\nhello\r\n0\r\n\r\n")),
    ("ctl-ext-many", "control: 10000 one-byte chunks each with an extension (valid) + pipelined GET",
     post("ctl-ext-many", TE, b"1;e=1\r\nx\r\n" * 10000 + b"0\r\n\r\n")),
    ("ctl-te-ows", "control: 'Transfer-Encoding:<HTAB>chunked<SP>' (valid OWS) + pipelined GET",
     post("ctl-te-ows", b"Transfer-Encoding:\tchunked \r\n", b"5;e=1\r\nhello\r\n0\r\n\r\n")),
]


def group_smuggling(rep, srv):
    port = srv.port

    def probe(item):
        tag, data = item[0], item[2]
        return tag, seclib.raw_exchange(port, data, timeout=5, close_wait=1.5)

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as ex:
        results = dict(ex.map(probe, SMUGGLING, timeout=120))
    seen_paths = srv.upstream_paths()
    for tag, attack, data, statuses, may_reach in SMUGGLING:
        r = results[tag]
        reached = [p for p in seen_paths if p.startswith("/public/req-" + tag)]
        smuggled = [p for p in seen_paths if p == "/public/SMUG-" + tag]
        seen = seclib.short(r)
        if smuggled:
            seen += ", SMUGGLED request reached upstream"
        if reached and not may_reach:
            seen += ", head forwarded upstream"
        ok = (r.status in statuses and r.closed and not r.extra and not smuggled and (may_reach or not reached))
        exp = "/".join(str(s) for s in statuses) + ", closed, pipelined GET not answered"
        note = ""
        if tag == "long-target" and r.status == 431:
            note = ("RFC 9112 section 3: a server that receives a request-target longer than it wishes to parse MUST "
                    "answer 414 (URI Too Long); gatekeeper answers 431 because it measures the whole head")
        elif tag == "ext-unterminated-quote" and not ok:
            note = ("RFC 9112 7.1.1: CR/LF are not qdtext, the chunk line ends at the first CRLF -> 400; seen: the "
                    "quoted-string swallows the CRLFs, the request waits for body_timeout, then the connection is "
                    "closed with no response (access log: 408)")
        elif not ok:
            note = "sent %r" % data[:100]
        rep.add(attack, exp, seen, ok, note)

    for tag, attack, data in CONTROLS:
        with h.RawConn(port, timeout=5) as c:
            c.send(data)
            r1 = c.read_response(timeout=5)
            r2 = c.read_response(timeout=5)
        d2 = seclib.echo_doc(r2) or {}
        ok = r1.status == 200 and r2.status == 200 and d2.get("path") == "/public/SMUG-" + tag
        rep.add(attack, "200, then 200 for the pipelined GET", "%s, then %s" % (r1.status, r2.status), ok)


# --------------------------------------------------------------------------- paths

ADMIN_RULE = {401: ("/admin/",), 400: None, 404: None}
REFUSE = {400: None, 404: None}

# (target, acceptable outcomes: status -> forwarded paths accepted for an authorised request (401 rows),
#  SECURITY.md verdict)
PATHS = [
    ("/%61dmin/", ADMIN_RULE, "P5: %61 -> a, 401, forwarded /admin/"),
    ("/./admin/", ADMIN_RULE, "P4: 401, forwarded /admin/"),
    ("//admin/", ADMIN_RULE, "P4: 401, forwarded /admin/"),
    ("/public/../admin/", ADMIN_RULE, "P4: 401, forwarded /admin/"),
    ("/public/%2e%2e/admin/", ADMIN_RULE, "P2: 401, forwarded /admin/"),
    ("/public/.%2e/admin/", ADMIN_RULE, "P2: 401, forwarded /admin/"),
    ("/admin;x/", {400: None, 404: None, 401: ("/admin/", "/admin;x/")}, "P1: 400 (or strip the parameter)"),
    ("/admin/..;/", {400: None, 404: None, 401: ("/admin/..;/",)}, "P1: 400"),
    ("/ADMIN/", {404: None}, "P5: case-sensitive: 404"),
    ("/admin%2f", REFUSE, "P3: 400"),
    ("/public%2f..%2fadmin/", REFUSE, "P3: 400"),
    ("/public/..%2fadmin/", REFUSE, "P3: 400"),
    ("/public/..%5cadmin/", REFUSE, "P3: 400"),
    ("/public/..\\admin/", REFUSE, "backslash is not allowed in a request-target: 400"),
    ("/public\\..\\admin/", REFUSE, "backslash: 400 (or no route)"),
    ("/public/%c0%ae%c0%ae/admin/", REFUSE, "P8: overlong UTF-8: 400"),
    ("/%c0%ae%c0%ae/admin/", REFUSE, "P8: overlong UTF-8: 400"),
    ("/%c1%a1dmin/", REFUSE, "P8: overlong UTF-8 'a': 400"),
]


def _get(port, target, auth=None):
    head = b"GET " + target.encode("latin-1") + b" HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
    if auth:
        head += b"Authorization: " + basic(auth) + b"\r\n"
    return seclib.raw_exchange(port, head + b"\r\n", timeout=5, close_wait=0.5)


def group_paths(rep, srv):
    port = srv.port
    for target, outcomes, verdict in PATHS:
        before = len(srv.up.seen())
        r = _get(port, target)
        leaked = srv.up.seen()[before:]
        seen = str(r.status)
        ok = r.status in outcomes and not leaked
        if leaked:
            seen += ", upstream got %s WITHOUT credentials" % [x.path for x in leaked]
        if ok and r.status == 401:
            www = r.get("WWW-Authenticate") or ""
            if 'realm="Admin Panel"' not in www:
                ok = False
                seen += " (challenge %r is not the admin route's)" % www
            rb = _get(port, target, BOB)
            ra = _get(port, target, ALICE)
            doc = seclib.echo_doc(ra) or {}
            fwd = doc.get("path")
            seen += "; bob %s; alice %s -> upstream path %s" % (rb.status, ra.status, fwd)
            ok = ok and rb.status == 403 and ra.status == 200 and fwd in outcomes[401]
        exp = " or ".join("401 (admin rule; alice forwarded as %s)" % " or ".join(v) if k == 401 else str(k)
                          for k, v in outcomes.items())
        rep.add("GET %s" % target, exp, seen, ok, "" if ok else "SECURITY.md: " + verdict)

    # Double encoding is decoded once: a legitimate public path, forwarded unchanged.
    r = _get(port, "/public/%252e%252e/admin/")
    doc = seclib.echo_doc(r) or {}
    ok = r.status == 200 and doc.get("path") == "/public/%252e%252e/admin/"
    rep.add("GET /public/%252e%252e/admin/ (double encoding)", "200 public, forwarded unchanged",
            "%s, upstream path %s" % (r.status, doc.get("path")), ok)


# --------------------------------------------------------------------------- headers

IDENTITY = ["x-auth-request-user", "x-auth-request-email", "x-auth-request-groups", "x-auth-request-scopes",
            "remote-user", "remote-groups", "remote-email", "remote-name", "x-forwarded-user", "x-forwarded-email",
            "x-forwarded-groups", "x-forwarded-preferred-username", "x-remote-user", "x-user",
            "x-authenticated-user", "x_auth_request_user", "remote_user", "x_forwarded_user"]


def _identity_in(doc):
    """(name, value) pairs of identity-looking headers the upstream received."""
    out = []
    for k, v in (doc or {}).get("header_list", []):
        if k.lower() in IDENTITY or "mallory" in str(v).lower():
            out.append((k, v))
    return out


def _req(port, target, lines, auth=None):
    head = b"GET " + target + b" HTTP/1.1\r\nHost: a\r\n" + lines
    if auth:
        head += b"Authorization: " + basic(auth) + b"\r\n"
    head += b"Connection: close\r\n\r\n"
    return seclib.raw_exchange(port, head, timeout=5, close_wait=0.5)


SPOOF = [
    ("odd case (x-AUTH-request-USER, REMOTE-user, x-auth-REQUEST-groups)",
     b"x-AUTH-request-USER: mallory\r\nREMOTE-user: mallory\r\nx-auth-REQUEST-groups: admins,mallory\r\n", (200,)),
    ("odd whitespace (HTAB/SP around the value)",
     b"X-Auth-Request-User:\t  mallory \t\r\nRemote-Groups:    admins-mallory\t\r\n", (200,)),
    ("space before colon ('Remote-User : mallory'; RFC 9112 5.1 MUST 400)", b"Remote-User : mallory\r\n", (400,)),
    ("duplicated (Remote-User x2, X-Auth-Request-Groups x2)",
     b"Remote-User: mallory\r\nRemote-User: mallory2\r\nX-Auth-Request-Groups: admins\r\n"
     b"X-Auth-Request-Groups: mallory\r\n", (200,)),
    ("empty value (Remote-User:)", b"Remote-User:\r\nX-Auth-Request-User: mallory\r\n", (200,)),
    ("underscore spellings (X_Auth_Request_User, Remote_User)",
     b"X_Auth_Request_User: mallory\r\nRemote_User: mallory\r\n", (200, 400)),
    ("SECURITY.md 5.3 names (X-Forwarded-User, X-Remote-User, X-User, X-Authenticated-User, Remote-Name)",
     b"X-Forwarded-User: mallory\r\nX-Remote-User: mallory\r\nX-User: mallory\r\nX-Authenticated-User: mallory\r\n"
     b"Remote-Name: mallory\r\nX-Forwarded-Email: mallory@x\r\nX-Forwarded-Groups: mallory\r\n", (200,)),
]


def group_headers(rep, srv):
    port = srv.port
    for i, (what, lines, statuses) in enumerate(SPOOF):
        # Public route: no identity at all may reach the upstream.
        r = _req(port, b"/public/spoof-%d" % i, lines)
        doc = seclib.echo_doc(r)
        bad = _identity_in(doc) if r.status == 200 else []
        ok = r.status in statuses and not bad
        rep.add("identity headers, public route: " + what, "/".join(map(str, statuses)) + ", none reach upstream",
                "%s%s" % (r.status, (", upstream got %s" % bad) if bad else ", none"), ok)
        # Admin route as alice: exactly the gateway's identity.
        r = _req(port, b"/admin/spoof-%d" % i, lines, auth=ALICE)
        doc = seclib.echo_doc(r) or {}
        ids = _identity_in(doc)
        want = sorted([("X-Auth-Request-User", "alice"), ("Remote-User", "alice"),
                       ("X-Auth-Request-Groups", "admins"), ("Remote-Groups", "admins")])
        got = sorted(("-".join(p.capitalize() for p in k.split("-")), v) for k, v in ids)
        ok = r.status in statuses and (r.status != 200 or got == want)
        rep.add("identity headers, admin route as alice: " + what,
                "/".join(map(str, statuses)) + ", upstream sees only alice/admins",
                "%s%s" % (r.status, (", upstream identity %s" % got) if r.status == 200 else ""), ok)

    # Named in Connection: the client tries to make the gateway drop its own identity headers.
    r = _req(port, b"/admin/conn", b"X-Hop: 1\r\n"
             b"Connection: keep-alive, X-Auth-Request-User, Remote-Groups, X-Hop\r\n"
             b"X-Auth-Request-User: mallory\r\n", auth=ALICE)
    doc = seclib.echo_doc(r) or {}
    hl = {k.lower(): v for k, v in doc.get("header_list", [])}
    vals = [v for k, v in doc.get("header_list", []) if k.lower() == "x-auth-request-user"]
    conn = (hl.get("connection") or "").lower()
    ok = (r.status == 200 and vals == ["alice"] and hl.get("remote-groups") == "admins" and "x-hop" not in hl
          and "x-auth-request" not in conn and "remote" not in conn)
    rep.add("Connection: X-Auth-Request-User, Remote-Groups (+ spoofed value), admin as alice",
            "200, upstream X-Auth-Request-User=[alice], Remote-Groups=admins, Connection names neither",
            "%s, X-Auth-Request-User=%s, Remote-Groups=%s, Connection=%r" % (
                r.status, vals, hl.get("remote-groups"), hl.get("connection")), ok)
    r = _req(port, b"/public/conn", b"Connection: close, X-Auth-Request-User\r\nX-Auth-Request-User: mallory\r\n")
    bad = _identity_in(seclib.echo_doc(r))
    rep.add("Connection: X-Auth-Request-User + spoofed value, public route", "200, none reach upstream",
            "%s%s" % (r.status, (", upstream got %s" % bad) if bad else ", none"), r.status == 200 and not bad)

    # Host disagreeing with an absolute-form target.
    before = len(srv.up.seen())
    r = seclib.raw_exchange(port, b"GET http://target.example/public/abs HTTP/1.1\r\nHost: other.example\r\n"
                                  b"Connection: close\r\n\r\n", timeout=5, close_wait=0.5)
    fwd = srv.up.seen()[before:]
    seen = str(r.status)
    if fwd:
        seen += ", forwarded with X-Forwarded-Host=%s" % fwd[-1].get("X-Forwarded-Host")
    rep.add("absolute-form http://target.example/... with Host: other.example", "400", seen, r.status == 400,
            "" if r.status == 400 else
            "RFC 9112 3.2.2 lets the target's authority win (gatekeeper does that); the issue asks for 400")
    r = seclib.raw_exchange(port, b"GET http://a/public/abs-same HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                            timeout=5, close_wait=0.5)
    rep.add("control: absolute-form with the same Host", "200", str(r.status), r.status == 200)

    # Several Authorization headers / obs-fold inside Authorization.
    a = basic(ALICE)
    r = seclib.raw_exchange(port, b"GET /admin/two-auth HTTP/1.1\r\nHost: a\r\nAuthorization: " + a +
                            b"\r\nAuthorization: " + basic(BOB) + b"\r\n\r\n" + smug("two-auth"), timeout=5)
    ok = r.status == 400 and r.closed and not r.extra
    rep.add("two Authorization headers (alice, bob)", "400, closed", seclib.short(r), ok)
    r = seclib.raw_exchange(port, b"GET /admin/same-auth HTTP/1.1\r\nHost: a\r\nAuthorization: " + a +
                            b"\r\nAuthorization: " + a + b"\r\n\r\n" + smug("same-auth"), timeout=5)
    rep.add("two identical Authorization headers", "400, closed", seclib.short(r),
            r.status == 400 and r.closed and not r.extra)
    r = seclib.raw_exchange(port, b"GET /admin/fold-auth HTTP/1.1\r\nHost: a\r\nAuthorization: Basic\r\n "
                            + a.split(b" ")[1] + b"\r\n\r\n" + smug("fold-auth"), timeout=5)
    rep.add("Authorization with obs-fold ('Basic' CRLF SP token68)", "400, closed", seclib.short(r),
            r.status == 400 and r.closed and not r.extra)
    r = seclib.raw_exchange(port, b"GET /admin/list-auth HTTP/1.1\r\nHost: a\r\nAuthorization: " + a + b", " + a
                            + b"\r\nConnection: close\r\n\r\n", timeout=5, close_wait=0.5)
    rep.add("Authorization: Basic X, Basic X (comma-joined list)", "400 or 401", str(r.status), r.status in (400, 401))

    # Forwarding headers from an untrusted client.
    r = _req(port, b"/public/xff", b"X-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n"
             b"Forwarded: for=6.6.6.6;proto=https\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n")
    doc = seclib.echo_doc(r) or {}
    hl = doc.get("header_list", [])
    xff = [v for k, v in hl if k.lower() == "x-forwarded-for"]
    leaks = [(k, v) for k, v in hl if "6.6.6.6" in v or "evil.example" in v]
    ok = r.status == 200 and xff == ["127.0.0.1"] and not leaks
    rep.add("X-Forwarded-For/X-Real-IP/Forwarded/X-Forwarded-Host from an untrusted client",
            "200, upstream X-Forwarded-For=[127.0.0.1], no client value anywhere",
            "%s, X-Forwarded-For=%s%s" % (r.status, xff, (", leaked %s" % leaks) if leaks else ""), ok)
    r = _req(port, b"/public/rewrite", b"X-Original-URL: /admin/\r\nX-Rewrite-URL: /admin/\r\n"
             b"X-HTTP-Method-Override: DELETE\r\nX-Original-Method: DELETE\r\n")
    doc = seclib.echo_doc(r) or {}
    bad = [(k, v) for k, v in doc.get("header_list", [])
           if k.lower() in ("x-original-url", "x-rewrite-url", "x-http-method-override", "x-original-method")]
    rep.add("X-Original-URL / X-Rewrite-URL / X-HTTP-Method-Override on the public route",
            "200, none reach upstream", "%s%s" % (r.status, (", upstream got %s" % bad) if bad else ", none"),
            r.status == 200 and not bad,
            "" if not bad else "SECURITY.md 5.3: strip X-HTTP-Method-Override and X-Original-Method too")
