"""``graphkit serve``: a read-only SPARQL 1.1 Protocol endpoint over the built graph.

GET and POST (form-encoded or ``application/sparql-query``) at ``/sparql``; SELECT and ASK
results as SPARQL JSON, XML, CSV or TSV and CONSTRUCT/DESCRIBE as Turtle, JSON-LD, N-Triples
or RDF/XML, by the Accept header or a ``format=`` / ``output=`` parameter. Updates are refused
(403); a malformed query gets 400 with the parser's message.

Queries run in worker processes, each with its own copy of the graph (pyoxigraph, in memory),
because a query inside Oxigraph cannot be interrupted from Python: when a query passes the time
limit its worker is killed, the client gets 503, and a fresh worker takes its place. The answer
is bounded in size as well (422 past the bound). ``/`` serves a page to type queries in,
``/map`` the network map.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
                    r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"


@dataclass
class Reply:
    status: int
    type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> "Reply":
        return cls(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode())


def answer(store, query: str, accept: str | None, short: str | None,
           limit: int | None) -> Reply:
    """Evaluate ``query`` and write its answer in the negotiated format (one worker's job).

    >>> from graphkit.sparql import load_store
    >>> store = load_store(Path("exports/graph.nt"))
    >>> r = answer(store, "ASK { actor:dprk org:memberOf actor:arf }", None, None, None)
    >>> r.status, r.type, json.loads(r.body)["boolean"]
    (200, 'application/sparql-results+json; charset=utf-8', True)
    >>> answer(store, "SELECT ?x WHERE { ?x }", None, None, None).status
    400
    """
    from .sparql import QueryError, ResultTooLarge, negotiate, run, serialize

    if UPDATE.match(query):
        return Reply.text(403, READ_ONLY)
    try:
        result = run(store, query)
        media = negotiate(result.kind, accept, short)
        if media is None:
            offered = "Turtle, JSON-LD, N-Triples, RDF/XML" if result.kind == "graph" else \
                "SPARQL JSON, XML, CSV, TSV"
            return Reply.text(406, f"cannot answer in {short or accept}; this query's answer "
                                   f"comes as {offered}")
        body = serialize(result, media, limit)
    except ResultTooLarge as exc:
        return Reply.text(422, f"{exc} (the server's --max-result-mb); narrow the query or "
                               "page through it with LIMIT and OFFSET")
    except QueryError as exc:
        return Reply.text(400, str(exc))
    charset = "" if media == "application/rdf+xml" else "; charset=utf-8"
    return Reply(200, media + charset, body)


def _worker(graph: str, conn) -> None:  # pragma: no cover (runs in a child process)
    from .sparql import load_store

    store = load_store(Path(graph))
    conn.send(len(store))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        conn.send(answer(store, *job))


class Worker:
    """A child process holding the graph and answering one query at a time."""

    def __init__(self, ctx, graph: Path) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(str(graph), child), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(120):
            self.stop()
            raise RuntimeError(f"a query worker did not load {graph} within 120 s")
        self.triples = self.conn.recv()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class Pool:
    """``size`` workers; a query waits at most ``timeout`` seconds for a free one and at most
    ``timeout`` seconds for its answer."""

    def __init__(self, graph: Path, size: int = 2, timeout: float = 10.0,
                 limit: int | None = 50_000_000) -> None:
        self.graph, self.timeout, self.limit = graph, timeout, limit
        self.ctx = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.workers = [Worker(self.ctx, graph) for _ in range(size)]
        for w in self.workers:
            self.idle.put(w)
        self.triples = self.workers[0].triples

    def _replace(self, dead: Worker) -> None:
        dead.stop()

        def start() -> None:
            w = Worker(self.ctx, self.graph)
            self.workers.append(w)
            self.idle.put(w)

        self.workers.remove(dead)
        threading.Thread(target=start, daemon=True).start()

    def ask(self, query: str, accept: str | None, short: str | None) -> Reply:
        try:
            w = self.idle.get(timeout=self.timeout)
        except queue.Empty:
            return Reply.text(503, "all query workers are busy; try again in a moment")
        try:
            w.conn.send((query, accept, short, self.limit))
            if w.conn.poll(self.timeout):
                reply = w.conn.recv()
                self.idle.put(w)
                return reply
        except (EOFError, OSError):
            self._replace(w)
            return Reply.text(500, "the query worker failed; it has been restarted")
        self._replace(w)
        return Reply.text(503, f"the query ran longer than the server's limit of "
                               f"{self.timeout:g} s (--timeout) and was stopped")

    def close(self) -> None:
        for w in list(self.workers):
            w.stop()


class Handler(BaseHTTPRequestHandler):
    server_version = "graphkit-sparql"
    pool: Pool
    pages: dict[str, tuple[str, bytes]]
    quiet = False

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib's signature)
        if not self.quiet:
            super().log_message(format, *args)

    def _send(self, reply: Reply, head_only: bool = False) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Vary", "Accept")
        self.end_headers()
        if not head_only:
            self.wfile.write(reply.body)

    def do_OPTIONS(self) -> None:  # CORS preflight, for query editors in a browser
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.end_headers()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        if url.path == "/sparql" and "query" in params:
            return self._query(params["query"][0], params)
        if url.path == "/sparql" and "update" in params:
            return self._send(Reply.text(403, READ_ONLY))
        page = self.pages.get("/" if url.path == "/sparql" else url.path)
        if page is None:
            return self._send(Reply.text(404, f"no page {url.path}; the endpoint is /sparql"))
        self._send(Reply(200, page[0], page[1]))

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self._send(Reply.text(404, f"no endpoint {url.path}; POST to /sparql"))
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1_000_000:
            return self._send(Reply.text(413, "a query of more than 1 MB is refused"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        if ctype == "application/sparql-update":
            return self._send(Reply.text(403, READ_ONLY))
        if ctype == "application/sparql-query":
            return self._query(body, params)
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qs(body, keep_blank_values=True)
            if "update" in form:
                return self._send(Reply.text(403, READ_ONLY))
            if "query" in form:
                return self._query(form["query"][0], params | form)
            return self._send(Reply.text(400, "no 'query' in the form"))
        self._send(Reply.text(415, "POST a query as application/sparql-query or as a form "
                                   "(application/x-www-form-urlencoded) with 'query'"))

    def do_HEAD(self) -> None:
        url = urlsplit(self.path)
        page = self.pages.get("/" if url.path == "/sparql" else url.path)
        self._send(Reply(200, page[0], page[1]) if page else Reply.text(404, ""), head_only=True)

    def _query(self, text: str, params: dict) -> None:
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return self._send(Reply.text(400, "this endpoint holds one graph, the default "
                                              "graph: leave out default-graph-uri and "
                                              "named-graph-uri"))
        short = (params.get("format") or params.get("output") or [None])[0]
        self._send(self.pool.ask(text, self.headers.get("Accept"), short))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the stdlib's 5 drops connections under a burst (1 s SYN retries)


def pages(map_file: Path | None) -> dict[str, tuple[str, bytes]]:
    """The HTML pages: ``/`` to type queries (with the named queries to start from), ``/map``."""
    from .named_queries import load_named
    from .namespaces import PREFIXES

    named = [{"name": q.name, "title": q.title, "answers": q.answers, "text": q.text}
             for q in load_named().values()]
    template = (resources.files("graphkit") / "templates" / "query.html").read_text("utf-8")
    data = json.dumps(named, ensure_ascii=False).replace("</", "<\\/")
    html = "text/html; charset=utf-8"
    page = template.replace("/*NAMED*/[]", data).replace("/*PREFIXES*/{}", json.dumps(PREFIXES))
    out = {"/": (html, page.encode("utf-8"))}
    if map_file is not None and map_file.exists():
        out["/map"] = (html, map_file.read_bytes())
    return out


def make_server(graph: Path, host: str = "127.0.0.1", port: int = 7878, workers: int = 2,
                timeout: float = 10.0, limit: int | None = 50_000_000,
                map_file: Path | None = None, quiet: bool = False):
    """A ready server (call ``serve_forever()``) and its pool (``close()`` it after)."""
    pool = Pool(graph, workers, timeout, limit)
    handler = type("BoundHandler", (Handler,), {"pool": pool, "pages": pages(map_file),
                                                "quiet": quiet})
    server = Server((host, port), handler)
    return server, pool

