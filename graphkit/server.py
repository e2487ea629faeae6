"""``graphkit serve``: a read-only SPARQL 1.1 Protocol endpoint over the built graph.

GET and POST (form-encoded or ``application/sparql-query``) at ``/sparql``; SELECT and ASK
results as SPARQL JSON, XML, CSV or TSV and CONSTRUCT/DESCRIBE as Turtle, JSON-LD, N-Triples
or RDF/XML, by the Accept header or a ``format=`` / ``output=`` parameter. ``/`` serves a page
to type queries in, ``/map`` the network map.

What it refuses, and its bounds (README, "Security"):
- updates (403); ``SERVICE`` (400: a query never makes the server contact another address,
  unless the operator lists the endpoint with ``--allow-service``); brackets nested deeper than
  :data:`graphkit.sparql_guard.MAX_DEPTH` (400);
- a query past ``--timeout`` seconds or ``--max-memory-mb`` megabytes (503; its worker is
  replaced), an answer past ``--max-result-mb`` (422);
- HTTP through waitress: at most ``--max-connections`` open connections, a request must arrive
  whole within ``--read-timeout`` seconds (408), an idle connection is closed after
  ``--idle-timeout``; a body over 1 MB (413), a bad or short ``Content-Length`` (400);
- when it listens on loopback, a ``Host`` header naming another machine (403: a web page cannot
  reach it through DNS rebinding).
No request is answered with a traceback, and none is logged: each request, refusal or early
disconnect is one line.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from .html_safe import script_json
from .query_pool import Limits, Pool, Reply
from .sparql_guard import READ_ONLY

MAX_BODY = 1_000_000
STATIC_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml",
                ".png": "image/png", ".json": "application/json"}
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
SECURITY_HEADERS = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
# pages inline their scripts and data; they may fetch from this server only
PAGE_POLICY = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' "
               "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
               "form-action 'self'")
log = logging.getLogger("graphkit.serve")


@dataclass
class Settings:
    """The server's bounds; the defaults are the command's."""

    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    read_timeout: float = 10.0
    idle_timeout: float = 30.0
    max_connections: int = 100
    quiet: bool = False


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.reply = Reply.text(status, message)


class App:
    """The WSGI application: routes, parameters, answers."""

    def __init__(self, pool: Pool, pages: dict[str, tuple[str, bytes]], loopback: bool,
                 quiet: bool, site: Path | None = None) -> None:
        self.pool, self.pages, self.loopback, self.quiet = pool, pages, loopback, quiet
        self.site = site.resolve() if site is not None and site.is_dir() else None

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "")
        try:
            reply, extra = self.route(environ, method)
        except BadRequest as exc:
            reply, extra = exc.reply, []
        except Exception as exc:  # noqa: BLE001 - one line in the log, a message to the client
            log.error("%s %s: internal error: %s: %s", method, _shown(environ),
                      type(exc).__name__, " ".join(str(exc).split())[:300])
            reply, extra = Reply.text(500, "internal error; the server goes on"), []
        headers = [("Content-Type", reply.type), ("Content-Length", str(len(reply.body))),
                   ("Access-Control-Allow-Origin", "*"), ("Vary", "Accept"),
                   *SECURITY_HEADERS, *extra]
        if reply.type.startswith("text/html"):
            headers.append(("Content-Security-Policy", PAGE_POLICY))
        start_response(f"{reply.status} {_REASONS.get(reply.status, 'Status')}", headers)
        if not self.quiet:
            log.info('%s "%s %s" %d %d %.1f ms', environ.get("REMOTE_ADDR", "-"), method,
                     _shown(environ), reply.status, len(reply.body),
                     (time.perf_counter() - started) * 1000)
        return [b""] if method == "HEAD" else [reply.body]

    def route(self, environ, method: str) -> tuple[Reply, list]:
        if self.loopback and not _host_ok(environ.get("HTTP_HOST", "")):
            return Reply.text(403, "this server answers requests addressed to this machine "
                                   "only (its Host header must name localhost or 127.0.0.1)"), []
        path = environ.get("PATH_INFO", "")
        if method == "OPTIONS":  # CORS preflight, for query editors in a browser
            return Reply(204, "text/plain", b""), [
                ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                ("Access-Control-Allow-Headers", "Content-Type, Accept")]
        if method not in ("GET", "HEAD", "POST"):
            return Reply.text(405, f"{method} is not served; use GET or POST"), [
                ("Allow", "GET, HEAD, POST, OPTIONS")]
        params = _form(environ.get("QUERY_STRING", ""), "the address")
        if method == "POST":
            if path != "/sparql":
                return Reply.text(404, f"no endpoint {path}; POST to /sparql"), []
            return self.post(environ, params), []
        if path == "/sparql" and "query" in params:
            return self.query(params["query"][0], params, environ), []
        if path == "/sparql" and "update" in params:
            return Reply.text(403, READ_ONLY), []
        if path == "/site" or path.startswith("/site/"):
            return self.static(path[len("/site"):].lstrip("/") or "index.html"), []
        page = self.pages.get("/" if path == "/sparql" else path)
        if page is None:
            return Reply.text(404, f"no page {path[:200]}; the endpoint is /sparql"), []
        return Reply(200, page[0], page[1]), []

    def static(self, rel: str) -> Reply:
        """A file of the site (``graphkit build`` writes it to exports/site/), never one
        outside its folder: the path is resolved, links included, and must stay inside."""
        if self.site is None:
            return Reply.text(404, "no site is served (graphkit build writes exports/site/; "
                                   "graphkit serve --site DIR)")
        if "\x00" in rel or "\\" in rel:
            return Reply.text(400, "not a file name")
        target = (self.site / rel).resolve()
        if target != self.site and self.site not in target.parents:
            return Reply.text(404, "no such page in the site")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return Reply.text(404, "no such page in the site")
        kind = STATIC_TYPES.get(target.suffix, "application/octet-stream")
        return Reply(200, kind, target.read_bytes())

    def post(self, environ, params: dict) -> Reply:
        ctype = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        body = environ["wsgi.input"].read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            return Reply.text(413, "a query of more than 1 MB is refused")
        if ctype == "application/sparql-update":
            return Reply.text(403, READ_ONLY)
        if ctype == "application/sparql-query":
            return self.query(_utf8(body, "the query"), params, environ)
        if ctype == "application/x-www-form-urlencoded":
            form = _form(_utf8(body, "the form"), "the form")
            if "update" in form:
                return Reply.text(403, READ_ONLY)
            if "query" in form:
                return self.query(form["query"][0], params | form, environ)
            return Reply.text(400, "no 'query' in the form")
        return Reply.text(415, "POST a query as application/sparql-query or as a form "
                               "(application/x-www-form-urlencoded) with 'query'")

    def query(self, text: str, params: dict, environ) -> Reply:
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return Reply.text(400, "this endpoint holds one graph, the default graph: leave out "
                                   "default-graph-uri and named-graph-uri")
        short = (params.get("format") or params.get("output") or [None])[0]
        return self.pool.ask(text, environ.get("HTTP_ACCEPT"), short)


_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
            408: "Request Timeout", 413: "Content Too Large", 415: "Unsupported Media Type",
            422: "Unprocessable Content", 500: "Internal Server Error",
            503: "Service Unavailable"}


def _utf8(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, f"{what} is not UTF-8 (byte {exc.start})") from None


def _form(text: str, what: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=100)
    except UnicodeDecodeError:
        raise BadRequest(400, f"{what} holds percent-escapes that are not UTF-8") from None
    except ValueError as exc:
        raise BadRequest(400, f"{what}: {exc}") from None


def _host_ok(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.lower() in LOOPBACK_NAMES


def _shown(environ) -> str:
    """The request's path and query as a log shows them: printable, at most 200 characters."""
    raw = environ.get("PATH_INFO", "") + ("?" + environ["QUERY_STRING"]
                                          if environ.get("QUERY_STRING") else "")
    text = raw.encode("latin-1", "replace").decode("ascii", "replace")
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 200 else text[:200] + "..."


def pages(map_file: Path | None) -> dict[str, tuple[str, bytes]]:
    """The HTML pages: ``/`` to type queries (with the named queries to start from), ``/map``."""
    from .named_queries import load_named
    from .namespaces import PREFIXES

    from .render_map import page

    named = [{"name": q.name, "title": q.title, "answers": q.answers, "text": q.text}
             for q in load_named().values()]
    html = "text/html; charset=utf-8"
    query_page = page("query.html", named=script_json(named), prefixes=script_json(PREFIXES))
    out = {"/": (html, query_page.encode("utf-8"))}
    if map_file is not None and map_file.is_file():
        out["/map"] = (html, map_file.read_bytes())
    return out


def _one_line_logging(quiet: bool) -> None:
    """Log records as one line each on stderr; waitress's own, tracebacks folded into a line."""

    class OneLine(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            text = " ".join(record.getMessage().split())
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                text += f": {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
            return f"graphkit serve: {text}"

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLine())
    for name in ("graphkit.serve", "waitress", "waitress.queue"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.setLevel(logging.WARNING if quiet else logging.INFO)


def make_server(graph: Path, host: str = "127.0.0.1", port: int = 7878,
                settings: Settings | None = None, map_file: Path | None = None,
                site: Path | None = None):
    """A ready server (call ``run()``) and its pool (``close()`` it after)."""
    from .http_server import create

    settings = settings or Settings()
    _one_line_logging(settings.quiet)
    pool = Pool(graph, settings.workers, settings.limits)
    app = App(pool, pages(map_file), host in LOOPBACK_NAMES or host.startswith("127."),
              settings.quiet, site)
    try:
        server = create(app, host, port, settings)
    except BaseException:
        pool.close()
        raise
    return server, pool
