import pytest

from classifier.parallel import effective_n_jobs, ordered_map


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
