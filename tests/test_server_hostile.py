"""`graphkit serve` against hostile clients: over a thousand requests of garbage, broken
encodings, oversized parts, updates, path tricks, SERVICE, deep nesting, odd headers, slow and
idle connections and memory bombs. Every request gets an answer (or a closed connection, for
those that never finish), the server contacts no other address, and at the end it answers a
good query correctly with no traceback in its log."""

from __future__ import annotations

import http.server
import json
import random
import socket
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import Served

GOOD = "SELECT ?n WHERE { actor:cscap skos:prefLabel ?n }"
CSCAP = "Council for Security Cooperation in the Asia Pacific"
BOMB = "SELECT ?a ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c"


class Recorder(http.server.BaseHTTPRequestHandler):
    """A local HTTP server that records every request it receives (none, it is hoped)."""

    seen: list[str] = []

    def _any(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        body = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _any

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def target():
    """The address a SERVICE clause would make the server reach: it must receive nothing."""
    Recorder.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    httpd.shutdown()


@pytest.fixture(scope="module")
def server(tmp_path_factory, target):
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    served = Served("--timeout", "4", "--max-memory-mb", "150", "--read-timeout", "1",
                    "--idle-timeout", "2", "--max-connections", "60", "--workers", "2",
                    log=log)
    yield served
    served.stop()


def exchange(port: int, raw: bytes, timeout: float = 8.0, shut: bool = True) -> int | None:
    """Send ``raw`` bytes, read the answer; its status code, or None if the server closed
    the connection without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(raw)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    while data.startswith(b"HTTP/1.1 100"):  # an interim answer to Expect: 100-continue
        data = data.partition(b"\r\n\r\n")[2]
    if not data.startswith(b"HTTP/1."):
        return None
    return int(data.split(b" ", 2)[1])


def request(port: int, method: str, target: str, body: bytes = b"",
            headers: dict | None = None) -> bytes:
    head = {"Host": f"127.0.0.1:{port}", "Connection": "close", **(headers or {})}
    if body and "Content-Length" not in head:
        head["Content-Length"] = str(len(body))
    lines = [f"{method} {target} HTTP/1.1"] + [f"{k}: {v}" for k, v in head.items()]
    return "\r\n".join(lines).encode("latin-1", "replace") + b"\r\n\r\n" + body


def get(port: int, query: str, extra: str = "") -> bytes:
    return request(port, "GET", "/sparql?query=" + urllib.parse.quote(query) + extra)


def post(port: int, query: bytes, ctype: str = "application/sparql-query") -> bytes:
    return request(port, "POST", "/sparql", query, {"Content-Type": ctype})


def hostile_requests(port: int, service_url: str) -> list[tuple[str, bytes, set]]:
    """(what, raw request, acceptable status codes) for every class of hostile input."""
    rng = random.Random(20261130)
    out: list[tuple[str, bytes, set]] = []
    for i in range(200):  # garbage bytes where a request should be
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        out.append(("garbage", blob + b"\r\n\r\n", {400, None}))
    for i in range(100):  # invalid UTF-8, in the address, the body and the form
        bad = bytes([0xC0 + rng.randrange(0x40), 0xFF, 0xFE][:1 + i % 3])
        pct = "".join(f"%{b:02X}" for b in bad)
        out.append(("utf-8 in address", request(port, "GET", "/sparql?query=ASK%7B%7D" + pct),
                    {400}))
        out.append(("utf-8 in body", post(port, b"ASK { ?s ?p \"" + bad + b"\" }"), {400}))
        out.append(("utf-8 in form", post(port, b"query=ASK%7B%7D" + pct.encode(),
                                          "application/x-www-form-urlencoded"), {400}))
    for size in (1_000_001, 3_000_000):  # huge bodies, addresses, headers
        out.append(("huge body", post(port, b"#" * size), {413}))
    out.append(("huge address", request(port, "GET", "/sparql?query=" + "A" * 200_000), {400, 431}))
    out.append(("huge header", request(port, "GET", "/", headers={"X-Big": "b" * 100_000}),
                {400, 431}))
    out.append(("many headers", request(port, "GET", "/", headers={
        f"X-{i}": "v" for i in range(5_000)}), {200, 400, 431}))
    for i in range(20):
        out.append(("many fields", request(port, "GET", "/sparql?" + "&".join(
            f"f{j}=x" for j in range(101 + i))), {400}))
    updates = ["INSERT DATA { <a:a> <a:b> <a:c> }", "insert data { <a:a> <a:b> <a:c> }",
               "PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }", "# hi\nCLEAR ALL",
               "DROP GRAPH <a:g>", "LOAD <http://127.0.0.1:9/x>", "CREATE GRAPH <a:g>",
               "WITH <a:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "COPY DEFAULT TO <a:g>",
               "BASE <http://x/> MOVE DEFAULT TO <a:g>"]
    for u in updates * 3:
        out.append(("update as query", get(port, u), {403}))
        out.append(("update posted", post(port, u.encode(), "application/sparql-update"),
                    {403}))
        out.append(("update in form", post(port, ("update=" + urllib.parse.quote(u)).encode(),
                                           "application/x-www-form-urlencoded"), {403}))
    for path in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd",
                 "/map/../../../etc/shadow", "/..%5c..%5cwindows", "/%00", "/sparql/../map",
                 "/%2F%2F", "/./././", "/map%00.html", "/\\..\\..\\", "/static/../../x",
                 "http://evil.example/", "*", "/" + "a/" * 500]:
        for method in ("GET", "HEAD", "POST", "PUT", "DELETE"):
            out.append(("path", request(port, method, path), {200, 400, 403, 404, 405}))
    services = [f"SELECT * WHERE {{ SERVICE <{service_url}> {{ ?s ?p ?o }} }}",
                f"select * {{ service silent <{service_url}> {{ ?s ?p ?o }} }}",
                f"SELECT * {{ # comment {{\n SeRvIcE <{service_url}> {{ ?s ?p ?o }} }}",
                f"PREFIX e: <{service_url.rsplit('/', 1)[0]}/> SELECT * {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
                f"SELECT * {{ BIND(<{service_url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
                f"SELECT * {{ {{ SELECT * {{ SERVICE <{service_url}> {{ ?s ?p ?o }} }} }} }}",
                f"ASK {{ SERVICE <{service_url}> {{}} }}",
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{service_url}> {{ ?s ?p ?o }} }}",
                f"SELECT * {{ OPTIONAL {{ SERVICE <{service_url}> {{ ?s ?p ?o }} }} }}",
                f"SELECT * {{ ?x ?y ?z MINUS {{ SERVICE <{service_url}> {{ ?x ?y ?z }} }} }}"]
    for q in services * 5:
        out.append(("service", get(port, q), {400}))
        out.append(("service posted", post(port, q.encode()), {400}))
    for depth in (65, 100, 1_000, 3_000, 20_000):
        for o, c in (("{", "}"), ("(", ")"), ("[", "]")):
            q = "SELECT * WHERE " + o * depth + c * depth
            out.append(("nesting", post(port, q.encode()), {400}))
    for i in range(200):  # random text where SPARQL should be
        words = ["SELECT", "WHERE", "{", "}", "?x", "(", ")", "FILTER", "<", ">", "\"", "'",
                 "#", "\\", "OPTIONAL", "UNION", "GRAPH", "*", "a", ".", ";", ",", "^^"]
        q = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 40)))
        out.append(("random query", post(port, q.encode()), {200, 400}))
    odd = [{"Content-Length": "-1"}, {"Content-Length": "abc"}, {"Content-Length": "1e3"},
           {"Content-Length": "+5"}, {"Content-Length": " 5"}, {"Content-Length": "99999999999"},
           {"Transfer-Encoding": "gzip"}, {"Transfer-Encoding": "chunked, identity"},
           {"Accept": "\x00\x01"}, {"Accept": "*/*;q=abc"}, {"Accept": ";;;,,,"},
           {"Content-Type": "application/sparql-query; charset=latin-9"}, {"Host": ""},
           {"Host": "evil.example"}, {"Host": "127.0.0.1.evil.example"}, {"Expect": "100-continue"},
           {"X-Forwarded-For": "1.2.3.4"}, {"Connection": "keep-alive, upgrade"}]
    for headers in odd * 4:
        out.append(("odd header", request(port, "POST", "/sparql", b"ASK {}",
                                          {"Content-Type": "application/sparql-query", **headers}),
                    {200, 400, 403, 404, 406, 413, 501}))
    return out


def test_a_thousand_hostile_requests_and_the_server_still_answers(server, target) -> None:
    port = server.port
    cases = hostile_requests(port, target)
    assert len(cases) >= 1_000

    def one(case):
        what, raw, ok = case
        return what, exchange(port, raw), ok

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, cases))
    wrong = [(what, status) for what, status, ok in results if status not in ok]
    assert wrong == [], wrong[:20]
    assert Recorder.seen == [], "SERVICE made the server contact another address"
    _answers_well(port)
    assert server.proc.poll() is None
    assert "Traceback" not in server.log()


def test_a_short_body_gets_400_and_a_slow_one_408(server) -> None:
    port = server.port
    start = post(port, b"ASK {}")
    short = start.replace(b"Content-Length: 6", b"Content-Length: 60")
    assert exchange(port, short) == 400  # the client closed its side 54 bytes early
    started = time.monotonic()
    assert exchange(port, short, shut=False) == 408  # it never sends the rest
    assert time.monotonic() - started < 4


def test_slow_and_idle_connections_are_bounded_and_closed(server) -> None:
    """A drip-fed request is closed after --read-timeout; 100 idle connections beyond
    --max-connections are held back, then closed after --idle-timeout; the server answers."""
    port = server.port
    dripper = socket.create_connection(("127.0.0.1", port), timeout=10)
    started, closed_after = time.monotonic(), None
    try:
        for ch in request(port, "GET", "/", headers={"X-Slow": "s" * 200}):
            dripper.send(bytes([ch]))
            time.sleep(0.05)
    except OSError:
        closed_after = time.monotonic() - started
    finally:
        dripper.close()
    assert closed_after is not None and closed_after < 5
    idle = []
    for _ in range(100):
        idle.append(socket.create_connection(("127.0.0.1", port), timeout=2))
    try:
        time.sleep(0.5)
        held = _sockets_held(server.proc.pid)
        assert held <= 60 + 8, f"the server holds {held} sockets with --max-connections 60"
        deadline, open_ = time.monotonic() + 20, list(idle)
        while open_ and time.monotonic() < deadline:  # each closed after --idle-timeout
            time.sleep(0.5)
            open_ = [s for s in open_ if not _closed_by_peer(s)]
        assert open_ == [], f"{len(open_)} of 100 idle connections never closed"
        _answers_well(port)
    finally:
        for s in idle:
            s.close()


def _sockets_held(pid: int) -> int:
    import os

    fds = os.listdir(f"/proc/{pid}/fd")
    return sum(os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:") for fd in fds
               if os.path.exists(f"/proc/{pid}/fd/{fd}"))


def _closed_by_peer(s: socket.socket) -> bool:
    s.setblocking(False)
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_memory_bombs_are_stopped_and_workers_replaced(server) -> None:
    port = server.port
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(post(port, BOMB.encode()))
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 503"), answer[:200]
        assert b"150 MB" in answer and b"--max-memory-mb" in answer
    _answers_well(port)
    assert "Traceback" not in server.log()


def test_an_operator_may_allow_a_listed_service(tmp_path, target) -> None:
    """With --allow-service, that endpoint (and only it) is reached."""
    served = Served("--allow-service", target, "--quiet", "--workers", "1")
    try:
        before = len(Recorder.seen)
        status = exchange(served.port, get(served.port,
                                           f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"))
        assert status == 200 and len(Recorder.seen) == before + 1
        other = target.replace("/sparql", "/other")
        assert exchange(served.port, get(served.port,
                                         f"SELECT * {{ SERVICE <{other}> {{ ?s ?p ?o }} }}")) == 400
        assert len(Recorder.seen) == before + 1
    finally:
        served.stop()


def _answers_well(port: int) -> None:
    raw = request(port, "GET", "/sparql?query=" + urllib.parse.quote(GOOD),
                  headers={"Accept": "application/sparql-results+json"})
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(raw)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), data[:300]
    rows = json.loads(body)["results"]["bindings"]
    assert [r["n"]["value"] for r in rows] == [CSCAP]
