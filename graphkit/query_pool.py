"""Query workers: child processes that each hold the graph and answer one query at a time,
bounded in time and memory.

A query inside Oxigraph cannot be interrupted from Python, so the bounds are kept from the
outside: while a worker runs a query the pool watches the clock and the worker's resident
memory (every 20 ms), and kills it past either bound; the client gets 503 with the reason and a
fresh worker takes its place. The worker's address space is also capped a little above the
memory bound (``RLIMIT_AS``), so an allocation too fast to be seen between two looks ends the
worker rather than the machine. Whatever a query does, the answer is a :class:`Reply`, never an
exception.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .sparql_guard import refusal

POLL = 0.02  # seconds between two looks at a running query's worker
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass
class Reply:
    status: int
    type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> "Reply":
        return cls(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode())


@dataclass(frozen=True)
class Limits:
    """The bounds on one query: seconds, resident megabytes, answer bytes."""

    timeout: float = 10.0
    memory_mb: int = 512
    result_bytes: int | None = 50_000_000
    allowed_services: frozenset[str] = frozenset()


def answer(store, query: str, accept: str | None, short: str | None,
           limits: Limits = Limits()) -> Reply:
    """Evaluate ``query`` and write its answer in the negotiated format (one worker's job).

    >>> from graphkit.sparql import load_store
    >>> import json
    >>> store = load_store(Path("exports/graph.nt"))
    >>> r = answer(store, "ASK { actor:dprk org:memberOf actor:arf }", None, None)
    >>> r.status, r.type, json.loads(r.body)["boolean"]
    (200, 'application/sparql-results+json; charset=utf-8', True)
    >>> answer(store, "SELECT ?x WHERE { ?x }", None, None).status
    400
    """
    from .sparql import QueryError, ResultTooLarge, negotiate, run, serialize

    refused = refusal(query, limits.allowed_services)
    if refused:
        return Reply.text(refused.status, refused.reason)
    try:
        result = run(store, query)
        media = negotiate(result.kind, accept, short)
        if media is None:
            offered = "Turtle, JSON-LD, N-Triples, RDF/XML" if result.kind == "graph" else \
                "SPARQL JSON, XML, CSV, TSV"
            return Reply.text(406, f"cannot answer in {short or accept}; this query's answer "
                                   f"comes as {offered}")
        body = serialize(result, media, limits.result_bytes)
    except ResultTooLarge as exc:
        return Reply.text(422, f"{exc} (the server's --max-result-mb); narrow the query or "
                               "page through it with LIMIT and OFFSET")
    except QueryError as exc:
        return Reply.text(400, str(exc))
    except MemoryError:
        return Reply.text(503, _memory_message(limits))
    except Exception as exc:  # noqa: BLE001 - whatever the engine raises, the client is told
        return Reply.text(500, f"the query could not be answered: {type(exc).__name__}: "
                               f"{' '.join(str(exc).split())[:500]}")
    charset = "" if media == "application/rdf+xml" else "; charset=utf-8"
    return Reply(200, media + charset, body)


def _memory_message(limits: Limits) -> str:
    return (f"the query needed more than the server's {limits.memory_mb} MB per query "
            "(--max-memory-mb) and was stopped; narrow it (fewer unbound patterns, a LIMIT)")


def _worker(graph: str, conn, limits: Limits) -> None:  # pragma: no cover (a child process)
    import resource

    from .sparql import load_store

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # the engine's own abort messages: the pool reports them instead
    store = load_store(Path(graph))
    try:  # a backstop above the watched bound, for allocations faster than the watch
        base = _vm_size(os.getpid()) or 0
        cap = base + (limits.memory_mb + 256) * 1_000_000
        resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (ValueError, OSError):
        pass
    conn.send(len(store))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        conn.send(answer(store, *job, limits))


def _status_kb(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _vm_size(pid: int) -> int | None:
    kb = _status_kb(pid, "VmSize:")
    return kb * 1024 if kb is not None else None


def resident_bytes(pid: int) -> int | None:
    """The resident memory of process ``pid`` (Linux; None where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return None


class Worker:
    """A child process holding the graph and answering one query at a time."""

    def __init__(self, ctx, graph: Path, limits: Limits) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(str(graph), child, limits), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(120):
            self.stop()
            raise RuntimeError(f"a query worker did not load {graph} within 120 s")
        self.triples = self.conn.recv()
        self.base = resident_bytes(self.process.pid) or 0

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class Pool:
    """``size`` workers; a query waits at most ``limits.timeout`` seconds for a free one and at
    most ``limits.timeout`` seconds for its answer."""

    def __init__(self, graph: Path, size: int = 2, limits: Limits = Limits()) -> None:
        self.graph, self.limits = graph, limits
        self.ctx = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.workers = [Worker(self.ctx, graph, limits) for _ in range(size)]
        for w in self.workers:
            self.idle.put(w)
        self.triples = self.workers[0].triples
        self.lock = threading.Lock()
        self.closed = False

    def _replace(self, dead: Worker) -> None:
        dead.stop()

        def start() -> None:
            try:
                w = Worker(self.ctx, self.graph, self.limits)
            except (RuntimeError, OSError):
                return
            with self.lock:
                if self.closed:
                    w.stop()
                    return
                self.workers.append(w)
            self.idle.put(w)

        with self.lock:
            if dead in self.workers:
                self.workers.remove(dead)
        threading.Thread(target=start, daemon=True).start()

    def ask(self, query: str, accept: str | None, short: str | None) -> Reply:
        """The answer to ``query``, within the pool's limits."""
        limits = self.limits
        try:
            w = self.idle.get(timeout=limits.timeout)
        except queue.Empty:
            return Reply.text(503, "all query workers are busy; try again in a moment")
        deadline = time.monotonic() + limits.timeout
        bound = limits.memory_mb * 1_000_000
        try:
            w.conn.send((query, accept, short))
            while not w.conn.poll(POLL):
                rss = resident_bytes(w.process.pid)
                if rss is not None and rss - w.base > bound:
                    self._replace(w)
                    return Reply.text(503, _memory_message(limits))
                if not w.process.is_alive():
                    raise EOFError
                if time.monotonic() > deadline:
                    self._replace(w)
                    return Reply.text(503, f"the query ran longer than the server's limit of "
                                           f"{limits.timeout:g} s (--timeout) and was stopped")
            reply = w.conn.recv()
        except (EOFError, OSError):
            w.process.join(1)
            code = w.process.exitcode
            self._replace(w)
            if code == -signal.SIGABRT:  # the engine could not allocate under the cap
                return Reply.text(503, _memory_message(limits))
            return Reply.text(500, "the query worker failed; it has been restarted")
        self.idle.put(w)
        return reply

    def close(self) -> None:
        with self.lock:
            self.closed = True
            workers = list(self.workers)
        for w in workers:
            w.stop()
