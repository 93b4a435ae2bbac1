"""Apply a function to a stream of items in worker processes, in order, with few items in flight.

Each worker process receives a shared ``state`` (for scoring: the model) once,
when it starts, and keeps it, with its warm caches, for every item it
handles; items go to the workers as they are read and results come back in
input order. At most ``max_pending`` items are read ahead of the consumer, so
memory stays bounded however long the stream is. The workers are joblib's
loky processes (spawned, not forked; a crashed worker raises instead of
hanging). A worker exits on its own within about a second of its parent's
death, even a SIGKILL (the out-of-memory killer's), instead of running on
with a copy of the model.

>>> list(ordered_map(_add, 10, iter([1, 2, 3]), n_workers=1))
[11, 12, 13]
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import joblib

from classifier.errors import WorkerDiedError

__all__ = ["ordered_map", "effective_n_jobs"]

_STATE: Any = None

#: Seconds between two checks, in a worker, that the process that started it is still alive.
PARENT_CHECK_INTERVAL = 0.5


def effective_n_jobs(n_jobs: int | None) -> int:
    """Number of worker processes for joblib-style ``n_jobs`` (-1: all cores, -2: all but one; None: 1).

    >>> effective_n_jobs(1), effective_n_jobs(None)
    (1, 1)
    """
    if n_jobs is None:
        return 1
    if n_jobs == 0:
        raise ValueError("n_jobs must not be 0; use 1 for no parallelism or -1 for all cores")
    return max(1, n_jobs if n_jobs > 0 else joblib.cpu_count() + 1 + n_jobs)


def _initialize(state: Any, parent_pid: int | None = None) -> None:
    global _STATE
    _STATE = state
    if parent_pid is not None:
        _exit_with_parent(parent_pid)


def _exit_with_parent(parent_pid: int) -> None:
    """Start a thread that ends this worker process as soon as ``parent_pid`` is no longer its parent.

    An orphan is adopted by another process (init or a subreaper), so its parent pid changes the moment the
    parent dies, however it died. Polling works on every POSIX system, unlike Linux's PR_SET_PDEATHSIG (which
    also fires when the parent *thread* that started the worker ends, not the process).
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_INTERVAL)
        os._exit(1)  # no clean-up: the parent that would read the results is gone

    threading.Thread(target=watch, name="itwork-parent-watch", daemon=True).start()


def _call(function: Callable[[Any, Any], Any], item: Any) -> Any:
    return function(_STATE, item)


def _add(state: int, item: int) -> int:
    return state + item


def ordered_map(
    function: Callable[[Any, Any], Any],
    state: Any,
    items: Iterable[Any],
    n_workers: int,
    max_pending: int | None = None,
) -> Generator[Any, None, None]:
    """Yield ``function(state, item)`` for each item, in order, computed by ``n_workers`` processes.

    ``function`` must be importable by name (a module-level function).
    ``max_pending`` (default: two per worker) bounds the items read but not
    yet yielded. With ``n_workers=1`` everything runs in this process.
    """
    if n_workers <= 1:
        for item in items:
            yield function(state, item)
        return
    from joblib.externals.loky import ProcessPoolExecutor

    max_pending = max_pending or 2 * n_workers
    executor = ProcessPoolExecutor(max_workers=n_workers, initializer=_initialize, initargs=(state, os.getpid()))
    pending: deque = deque()
    finished = False
    try:
        for item in items:
            pending.append(executor.submit(_call, function, item))
            if len(pending) >= max_pending:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
        finished = True
    except BrokenProcessPool as error:  # loky's TerminatedWorkerError among them
        raise WorkerDiedError(
            f"a worker process died (most likely killed by the system for lack of memory; exit {_exit_codes(error)}). "
            "Use fewer workers (n_jobs=1) or smaller pieces (a smaller chunk_size=)"
        ) from error
    finally:
        # On an error, an interrupt or a consumer that stops early, stop the workers now rather than let them
        # finish their items. Pending futures are not cancelled first: loky fails them itself when it kills
        # the workers, and a cancelled one made its manager thread raise InvalidStateError and the shutdown hang.
        executor.shutdown(wait=True, kill_workers=not finished)


def _exit_codes(error: BaseException) -> str:
    """The workers' exit codes as loky reports them ("{SIGKILL(-9)}"), or "unknown"."""
    text = str(error)
    start, end = text.rfind("{"), text.rfind("}")
    return text[start + 1 : end] if 0 <= start < end else "unknown"
