"""Work shared with forked processes, for large releases on machines with several cores.

A forked child starts with the parent's memory (the release, the site graph), so nothing
is pickled on the way in; only its result (or its exception) comes back, through a pipe.
No thread is started, so forking again later is safe. ``Queue`` hands out chunks of work
to the processes in turn. Where ``fork`` is missing, or on one core, callers run the work
in this process instead (``available``).
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import traceback
from collections.abc import Callable


def available() -> int:
    """How many processes can usefully run at once (1 where ``fork`` is missing)."""
    if not hasattr(os, "fork"):
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Forked:
    """``work()`` running in a forked child process. ``result()`` waits for it and returns
    its value or raises its exception (with the child's traceback as a note); ``close()``
    waits for it and drops what it gave; ``cancel()`` kills it."""

    def __init__(self, work: Callable[[], object]):
        read, write = os.pipe()
        gc.freeze()  # the child's collections skip what exists now: fewer pages copied
        try:
            pid = os.fork()
        except BaseException:
            gc.unfreeze()
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # the child: do the work, send the outcome, leave without clean-up
            os.close(read)
            try:
                outcome = (True, work())
            except BaseException as err:  # noqa: BLE001 - every failure goes back to the parent
                outcome = (False, err, traceback.format_exc())
            try:
                payload = pickle.dumps(outcome)
            except Exception as err:  # noqa: BLE001 - an unpicklable result or exception
                payload = pickle.dumps((False, RuntimeError(f"{outcome[1]!r} ({err})"), ""))
            with os.fdopen(write, "wb") as handle:
                handle.write(payload)
            os._exit(0)
        gc.unfreeze()
        os.close(write)
        self.pid, self.read = pid, read
        self.done = False

    def _wait(self) -> bytes:
        with os.fdopen(self.read, "rb") as handle:
            payload = handle.read()
        _pid, status = os.waitpid(self.pid, 0)
        self.done = True
        if not payload:
            raise RuntimeError(f"a worker process ended without a result (wait status {status})")
        return payload

    def result(self):
        outcome = pickle.loads(self._wait())
        if outcome[0]:
            return outcome[1]
        err, trace = outcome[1], outcome[2]
        if trace and hasattr(err, "add_note"):
            err.add_note("in a worker process:\n" + trace.rstrip())
        raise err

    def close(self) -> None:
        if not self.done:
            try:
                self._wait()
            except RuntimeError:
                pass

    def cancel(self) -> None:
        """Stop the child now (its work is not wanted) and wait for it."""
        if not self.done:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.close()


class Queue:
    """Numbered chunks of work that this process and its forked helpers take in turn, each
    the next one left, so the work stays balanced whatever else each process does.
    Make it before forking."""

    def __init__(self, count: int):
        import multiprocessing

        self.count = count
        self._next = multiprocessing.get_context("fork").Value("q", 0)  # shared memory, and its lock

    def take(self) -> int | None:
        """The next chunk's number, or None when every chunk is taken."""
        with self._next.get_lock():
            number = self._next.value
            if number >= self.count:
                return None
            self._next.value = number + 1
        return number

    def stop(self) -> None:
        """Leave the chunks not yet taken: every process stops after its current one."""
        with self._next.get_lock():
            self._next.value = self.count
