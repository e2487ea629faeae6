"""Work shared with forked processes: the machine's other cores, where the platform forks;
and new Python processes that import this very graphkit (:func:`graphkit_process`).

Each helper degrades to plain calls in this process where fork is missing (Windows, macOS's
default) or there is one core, so results never depend on it: only the time does.

>>> fork_map(lambda x: x * x, range(6))
[0, 1, 4, 9, 16, 25]
>>> in_child(sum, [1, 2, 3])()
6
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Iterable, Sequence, TypeVar

if TYPE_CHECKING:
    import subprocess

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
             least: int = 2, between: Callable[[], object] | None = None) -> list[R]:
    """``[function(x) for x in items]``, shared by ``processes`` forked processes (by default
    :func:`workers`) and this one: each takes the next item left as soon as it is free, so
    one that is slowed (by a larger item, or by more work per item) takes fewer. A child's
    exception is raised here as it was raised there (an ``OSError`` stays an ``OSError``).
    ``between()`` is called in this process after each item it does where items are shared
    (what it does there, this process takes fewer items for).

    The children inherit everything by fork (closures, open graphs): nothing but the results
    is pickled, so ``function`` may be a lambda; results must be picklable.
    """
    items = list(items)
    n = processes if processes is not None else workers(len(items), least)
    if n <= 1 or len(items) < 2:
        return [function(x) for x in items]
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    try:
        taken = ctx.Value("q", 0)  # the index of the next item to take, shared by all
    except (OSError, ImportError):  # no shared memory or semaphores here (no /dev/shm)
        return [function(x) for x in items]
    children = []
    for _ in range(1, n):
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_share, args=(function, items, taken, n, send), daemon=True)
        _start(process)
        send.close()
        children.append((receive, process))
    results: list = [None] * len(items)
    for i in _taken(taken, len(items), n):
        results[i] = function(items[i])
        if between is not None:
            between()
    failure = None
    for receive, process in children:
        try:
            status, value = receive.recv()
        except EOFError:
            status, value = "error", RuntimeError(
                f"a worker process ended without an answer (exit code {process.exitcode})")
        process.join()
        if status == "ok":
            for i, result in value:
                results[i] = result
        elif failure is None:
            failure = value
    if failure is not None:
        raise failure
    return results


def _taken(taken, count: int, processes: int) -> Iterable[int]:
    """The indices of the items this process takes, from the shared counter ``taken`` (a
    ``multiprocessing.Value``), until all ``count`` are taken: a few at a time where there are
    many (about 50 takes per process), so that taking costs nothing beside the work."""
    step = max(1, count // (processes * 50))
    while True:
        with taken.get_lock():
            first = taken.value
            taken.value = first + step
        if first >= count:
            return
        yield from range(first, min(first + step, count))


def _start(process) -> None:
    """Fork ``process`` with the collector's objects frozen: the child's collections then skip
    what it inherited, instead of writing to (and so copying) every page of a large graph."""
    import gc

    gc.freeze()
    try:
        process.start()
    finally:
        gc.unfreeze()


def _collect() -> None:  # pragma: no cover (runs in the child)
    """A child collects cycles whatever its parent did at the fork (the build pauses its
    collector: :func:`graphkit.build.check`); what it inherited is frozen (:func:`_start`),
    so its first collections walk only what it makes."""
    import gc

    gc.enable()


def _share(function, items, taken, processes, send) -> None:  # pragma: no cover (runs in the child)
    """A child of :func:`fork_map`: the items it takes, each with its index."""
    _collect()
    send.send_bytes(_pickled(_outcome(
        lambda: [(i, function(items[i])) for i in _taken(taken, len(items), processes)]))[0])


def _outcome(compute: Callable[[], object]) -> tuple[str, object]:
    """``("ok", compute())``, or ``("error", the exception)`` to raise again in the parent."""
    try:
        return "ok", compute()
    except BaseException as exc:  # noqa: BLE001 - raised again in the parent
        return "error", exc


def _pickled(answer: tuple[str, object]) -> tuple[bytes, bool]:
    """An answer as the bytes a child sends, and whether it is a success: an unpicklable
    result or exception is sent as an error naming it."""
    import pickle

    try:
        return pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL), answer[0] == "ok"
    except Exception as exc:
        return pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}"))), False


def in_child(function: Callable[..., R], *args) -> Callable[[], R]:
    """Start ``function(*args)`` in a forked process and return a function that waits for its
    result (called in this process where fork is missing). A crash of the child raises
    ``RuntimeError`` in the waiter; calling the waiter again gives the same answer."""
    return in_child_steps(lambda: function(*args))[0]


def in_child_steps(first: Callable[[], object], *then: Callable[[object], object]
                   ) -> list[Callable[[], object]]:
    """``first()`` in a forked process, then each of ``then`` in the same process, given the
    answer of the step before: one waiter per step, each answering as soon as its step is
    done (the steps run in this process, at once, where fork is missing). A step that fails
    fails those after it with the same exception; waiters may be called in any order, and
    again.

    A later step in the same child sees the objects it inherited as they were at the fork,
    so a long-lived child shares this process's pages instead of a second child copying them.

    >>> first, second = in_child_steps(lambda: [3, 1, 2], sorted)
    >>> second(), first()
    ([1, 2, 3], [3, 1, 2])
    """
    steps = (first, *then)
    if not can_fork():
        answers: list = []
        for k, step in enumerate(steps):
            answers.append(step() if k == 0 else step(answers[-1]))
        return [lambda k=k: answers[k] for k in range(len(steps))]
    import multiprocessing

    from .scratch import scratch_file

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    # a file per step for an answer larger than a pipe holds, opened here and already
    # nameless: shared by the fork, gone with the last process holding it, whatever happens
    spills = [scratch_file() for _ in steps]
    process = ctx.Process(target=_steps, args=(steps, send, spills), daemon=True)
    _start(process)
    send.close()
    got: list = []  # (status, value) of each step, in order, as they arrive

    def wait(k: int):
        while len(got) <= k:
            if got and got[-1][0] != "ok":  # a step failed: the later ones fail alike
                got.append(got[-1])
                continue
            try:
                got.append(_opened(receive.recv(), spills))
            except EOFError:
                process.join()
                got.append(("error", RuntimeError(
                    f"the process ended with exit code {process.exitcode}")))
            if len(got) == len(steps) or got[-1][0] != "ok":
                process.join()
                receive.close()
                for spill in spills:
                    spill.close()
        status, value = got[k]
        if status != "ok":
            raise value
        return value

    def stop() -> None:
        if len(got) == len(steps) or (got and got[-1][0] != "ok"):
            return  # every answer came, or a failure ended the child
        process.terminate()
        process.join()
        receive.close()
        for spill in spills:
            spill.close()
        got.append(("error", RuntimeError("stopped before it answered")))

    def waiter(k: int) -> Callable[[], object]:
        def answer():
            return wait(k)

        answer.stop = stop

        # the answer can be had at once: it came, or it is the next one and waits in the pipe
        answer.ready = lambda: len(got) > k or (len(got) == k and not receive.closed
                                                and receive.poll(0))
        return answer

    return [waiter(k) for k in range(len(steps))]


def ready(waiter: Callable[[], object]) -> bool:
    """Whether calling ``waiter`` (of :func:`in_child_steps` or :func:`in_child`) would answer
    at once; True for any other function (its answer is made when called).

    >>> first, = in_child_steps(lambda: 1)
    >>> first(), ready(first), ready(lambda: 2)
    (1, True, True)
    """
    is_ready = getattr(waiter, "ready", None)
    return True if is_ready is None else bool(is_ready())


def stop(waiter: Callable[[], object]) -> None:
    """End the process behind ``waiter`` (of :func:`in_child_steps` or :func:`in_child`) if it
    is still running: its steps not yet answered then raise ``RuntimeError``. Nothing for any
    other function, or once every step answered.

    >>> first, = in_child_steps(lambda: 1)
    >>> first(), stop(first), first()  # answered: nothing to end, the answer kept
    (1, None, 1)

    (tests/test_build.py ends a child that would take a minute.)
    """
    halt = getattr(waiter, "stop", None)
    if halt is not None:
        halt()


PIPE_HOLDS = 60_000  # bytes: a larger answer goes through a file, so the child can end at once


def _steps(steps, send, spills) -> None:  # pragma: no cover (runs in the child)
    """Run the steps, sending each answer. One larger than a pipe holds is written to the
    step's file and only that said: a child would otherwise wait, its memory held, until the
    parent reads (the build reads its map only once the graph is written)."""
    from functools import partial

    _collect()
    value = None
    for k, step in enumerate(steps):
        status, value = _outcome(step if k == 0 else partial(step, value))
        data, ok = _pickled((status, value))
        if len(data) > PIPE_HOLDS:
            spills[k].write(data)
            spills[k].flush()
            send.send(("file", k))
        else:
            send.send_bytes(data)
        if not ok:
            return


def _opened(message, spills: list):
    """An answer as :func:`_steps` sent it: itself, or the number of the file holding it
    (closed once read)."""
    import pickle

    if isinstance(message, tuple) and message[0] == "file":
        spill = spills[message[1]]
        spill.seek(0)
        try:
            return pickle.load(spill)
        finally:
            spill.close()
    return message


def graphkit_process(code: str, args: Sequence[str], **popen) -> subprocess.Popen:
    """A new Python process running ``code`` (``sys.argv[1:]``: ``args``) with this very
    graphkit importable, wherever it lies. ``-P``: a ``graphkit`` folder where the build runs
    is not imported instead."""
    import subprocess
    import sys
    from pathlib import Path

    here = str(Path(__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": here + (os.pathsep + path if path else "")}
    return subprocess.Popen([sys.executable, "-P", "-c", code, *args], env=env, **popen)
