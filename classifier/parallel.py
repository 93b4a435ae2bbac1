"""Apply a function to a stream of items in worker processes, in order, with few items in flight.

Each worker process receives a shared ``state`` (for scoring: the model) once,
when it starts, and keeps it, with its warm caches, for every item it
handles; items go to the workers as they are read and results come back in
input order. At most ``max_pending`` items are read ahead of the consumer, so
memory stays bounded however long the stream is. The workers are joblib's
loky processes (spawned, not forked; a crashed worker raises instead of
hanging).

>>> list(ordered_map(_add, 10, iter([1, 2, 3]), n_workers=1))
[11, 12, 13]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterable
from typing import Any

import joblib

__all__ = ["ordered_map", "effective_n_jobs"]

_STATE: Any = None


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


def _initialize(state: Any) -> None:
    global _STATE
    _STATE = state


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
    executor = ProcessPoolExecutor(max_workers=n_workers, initializer=_initialize, initargs=(state,))
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
    finally:
        # On an error, an interrupt or a consumer that stops early, stop the workers now rather than let them
        # finish their items. Pending futures are not cancelled first: loky fails them itself when it kills
        # the workers, and a cancelled one made its manager thread raise InvalidStateError and the shutdown hang.
        executor.shutdown(wait=True, kill_workers=not finished)
