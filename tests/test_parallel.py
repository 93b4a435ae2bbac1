import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from classifier.errors import WorkerDiedError
from classifier.parallel import effective_n_jobs, ordered_map

ROOT = Path(__file__).resolve().parent.parent


def _scaled(state, item):
    if item == "boom":
        raise ValueError(f"bad item {item!r}")
    return state * item


def _consumed(items, log):
    for item in items:
        log.append(item)
        yield item


@pytest.mark.parametrize("n_workers", [1, 2], ids=["in-process", "two-workers"])
def test_results_come_back_in_input_order(n_workers):
    assert list(ordered_map(_scaled, 3, range(50), n_workers=n_workers)) == [3 * i for i in range(50)]


def test_only_a_few_items_are_read_ahead():
    read: list[int] = []
    results = ordered_map(_scaled, 1, _consumed(range(100), read), n_workers=2, max_pending=3)
    assert next(results) == 0
    assert len(read) == 3  # not the whole stream
    results.close()


def test_a_worker_error_reaches_the_caller():
    with pytest.raises(ValueError, match="bad item 'boom'"):
        list(ordered_map(_scaled, 2, [1, "boom", 3], n_workers=2))


@pytest.mark.parametrize(("n_jobs", "expected"), [(None, 1), (1, 1), (3, 3)], ids=str)
def test_effective_n_jobs(n_jobs, expected):
    assert effective_n_jobs(n_jobs) == expected


def test_all_cores():
    import joblib

    assert effective_n_jobs(-1) == joblib.cpu_count()
    with pytest.raises(ValueError, match="n_jobs must not be 0"):
        effective_n_jobs(0)


def _slow_add(state, item):
    import time

    time.sleep(0.05)
    return state + item


def test_closing_the_stream_early_stops_the_workers_without_hanging():
    import threading

    done = threading.Event()

    def consume_two():
        results = ordered_map(_slow_add, 1, iter(range(100)), n_workers=2)
        assert [next(results), next(results)] == [1, 2]
        results.close()  # the consumer stops early: pending items are dropped, the workers killed
        done.set()

    worker = threading.Thread(target=consume_two, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert done.is_set(), "closing ordered_map early hung in the executor's shutdown"


def _kill_own_process(state, item):
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does


def test_a_killed_worker_is_one_error_naming_the_likely_cause_and_the_fix():
    with pytest.raises(
        WorkerDiedError, match=r"a worker process died \(most likely killed .* lack of memory.*n_jobs=1"
    ):
        list(ordered_map(_kill_own_process, None, [1, 2], n_workers=2))


_ORPHAN_SCRIPT = """
import os, signal, time
from classifier.parallel import ordered_map

def worker_pid(state, item):
    time.sleep(0.05)
    return os.getpid()

stream = ordered_map(worker_pid, None, iter(int, 1), n_workers=2)  # an endless stream: workers stay busy
pids = {next(stream) for _ in range(40)}
print(" ".join(map(str, sorted(pids))), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does: no clean-up runs
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            is_worker = b"loky" in cmdline.read()
    except FileNotFoundError:
        return False
    return fields[0] != "Z" and is_worker  # a zombie has exited; another program may have taken the pid


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads process states from /proc (Linux)")
def test_workers_exit_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(_ORPHAN_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    pids = [int(pid) for pid in done.stdout.split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 10  # a generous bound for a loaded machine; the workers check every 0.5 s
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in pids if _alive(pid)]
    for pid in survivors:  # do not leave them running after a failure
        os.kill(pid, signal.SIGKILL)
    assert not survivors, f"worker processes {survivors} outlived their killed parent"
