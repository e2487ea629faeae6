"""Work shared with forked processes: the machine's other cores, where the platform forks.

Each helper degrades to plain calls in this process where fork is missing (Windows, macOS's
default) or there is one core, so results never depend on it: only the time does.

>>> fork_map(lambda x: x * x, range(6))
[0, 1, 4, 9, 16, 25]
>>> in_child(sum, [1, 2, 3])()
6
"""

from __future__ import annotations

import os
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    """True where forked processes can share the work: fork exists and there is a second core."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


def workers(items: int, least: int = 2) -> int:
    """How many processes to split ``items`` pieces of work over: one per core (at most
    ``os.cpu_count()``), and one alone when there are fewer than ``least`` pieces per process
    or no fork."""
    if not can_fork():
        return 1
    return max(1, min(os.cpu_count() or 1, items // max(1, least)))


def fork_map(function: Callable[[T], R], items: Iterable[T], processes: int | None = None,
             least: int = 2) -> list[R]:
    """``[function(x) for x in items]``, the items dealt round-robin to ``processes`` forked
    processes (by default :func:`workers`); this process takes the first share. A child's
    exception is raised here as it was raised there (an ``OSError`` stays an ``OSError``).

    The children inherit everything by fork (closures, open graphs): nothing but the results
    is pickled, so ``function`` may be a lambda; results must be picklable.
    """
    items = list(items)
    n = processes if processes is not None else workers(len(items), least)
    if n <= 1 or len(items) < 2:
        return [function(x) for x in items]
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    children = []
    for k in range(1, n):
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_share, args=(function, items[k::n], send), daemon=True)
        _start(process)
        send.close()
        children.append((k, receive, process))
    results: list = [None] * len(items)
    results[0::n] = [function(x) for x in items[0::n]]
    failure = None
    for k, receive, process in children:
        try:
            status, value = receive.recv()
        except EOFError:
            status, value = "error", RuntimeError(
                f"a worker process ended without an answer (exit code {process.exitcode})")
        process.join()
        if status == "ok":
            results[k::n] = value
        elif failure is None:
            failure = value
    if failure is not None:
        raise failure
    return results


def _start(process) -> None:
    """Fork ``process`` with the collector's objects frozen: the child's collections then skip
    what it inherited, instead of writing to (and so copying) every page of a large graph."""
    import gc

    gc.freeze()
    try:
        process.start()
    finally:
        gc.unfreeze()


def _share(function, items, send) -> None:  # pragma: no cover (runs in the child)
    try:
        answer = ("ok", [function(x) for x in items])
    except BaseException as exc:  # noqa: BLE001 - raised again in the parent
        answer = ("error", exc)
    try:
        send.send(answer)
    except Exception as exc:  # an unpicklable result or exception
        send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


def in_child(function: Callable[..., R], *args) -> Callable[[], R]:
    """Start ``function(*args)`` in a forked process and return a function that waits for its
    result (called in this process where fork is missing). A crash of the child raises
    ``RuntimeError`` in the waiter; calling the waiter again gives the same answer."""
    if not can_fork():
        value = function(*args)
        return lambda: value
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_share, args=(lambda _: function(*args), [None], send),
                          daemon=True)
    _start(process)
    send.close()

    answer: list = []

    def wait() -> R:
        if not answer:  # the first call waits; later calls give the same answer
            try:
                answer.append(receive.recv())
            except EOFError:
                answer.append(("error", RuntimeError(
                    f"the process ended with exit code {process.exitcode}")))
            process.join()
            receive.close()
        status, value = answer[0]
        if status != "ok":
            raise value
        return value[0]

    return wait
