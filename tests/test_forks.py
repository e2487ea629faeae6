"""Work shared with forked processes (graphkit/forks.py): each process takes the next item
left as soon as it is free, so a process held up by one item does not also get every other
one after it (the parsing of large data: the helper also stores what it parsed)."""

from __future__ import annotations

import os
import time

import pytest

from graphkit.forks import can_fork, fork_map

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork and a second core")


def test_a_process_held_up_takes_no_more_items_than_it_can(tmp_path):
    """This process is held on its first item until another has done the last one: every
    other item was taken by that other process (dealt in turns, this one would have had every
    second item waiting for it). The results come in the items' order all the same."""
    here = os.getpid()
    last = tmp_path / "last item done"

    def work(x: int) -> tuple[int, int]:
        if os.getpid() == here:
            deadline = time.monotonic() + 60  # bounded: a test that fails, never a hang
            while not last.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        elif x == 9:
            last.touch()
        return x * x, os.getpid()

    results = fork_map(work, range(10), processes=2)
    assert [square for square, _ in results] == [x * x for x in range(10)]
    assert last.exists()
    # one item at most: on a loaded machine the other process may take all ten before this
    # one takes its first (dealt in turns, this one would have had five)
    done_here = [x for x, (_, pid) in enumerate(results) if pid == here]
    assert len(done_here) <= 1, done_here


def test_what_this_process_does_between_its_items_leaves_it_fewer_of_them():
    """``between()`` runs here after each item this process does (the build loads there what
    the other process has parsed so far): the time it takes goes to the other process's
    items, and it is called exactly once per item done here."""
    here = os.getpid()
    calls = []

    def work(x: int) -> int:
        time.sleep(0.01)
        return os.getpid()

    def between() -> None:
        calls.append(os.getpid())
        time.sleep(0.05)

    pids = fork_map(work, range(40), processes=2, between=between)
    done_here = pids.count(here)
    assert calls == [here] * done_here
    assert done_here < 20  # at most about 1 in 6 at these speeds; half without between()


def test_a_failure_in_any_process_is_raised_as_it_was():
    def work(x: int) -> int:
        if x == 7:
            raise OSError(28, "No space left on device")
        return x

    with pytest.raises(OSError, match="No space left"):
        fork_map(work, range(12), processes=2)


def test_without_shared_memory_the_items_are_done_here(monkeypatch):
    """Where no counter can be shared (no /dev/shm, no semaphores), this process does every
    item itself: slower, the same results."""
    import multiprocessing.context

    def no_shared_memory(*args, **kwargs):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(multiprocessing.context.ForkContext, "Value", no_shared_memory,
                        raising=False)
    here = os.getpid()
    assert fork_map(lambda x: (x + 1, os.getpid()), range(5), processes=2) == [
        (x + 1, here) for x in range(5)]
