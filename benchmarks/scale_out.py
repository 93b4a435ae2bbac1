"""Scoring at scale: rows/s and peak memory per worker on Dask and Spark, against ``score_file``.

Builds a Parquet dataset of ``--rows`` rows (default 10 million) from the
47,837 service-desk tickets in ../shared/data (read at run time, repeated in
order, with a running ``id``), written as files of ``--file-rows`` rows to a
temporary directory that is deleted at the end. Then, for each configuration,
in a fresh subprocess whose process tree (workers, JVM and Python workers
included) is sampled every 0.2 s for resident memory:

* ``local``: ``score_dataset(engine="local")``, i.e. ``score_file`` file by file in one process;
* ``dask-1``, ``dask-2``: ``score_dataset(engine="dask")`` on a local Dask cluster of 1 or 2 worker processes
  (one thread each);
* ``spark-1``, ``spark-2``: ``classifier.spark.score`` on ``local[1]`` or ``local[2]``, written with
  ``write.parquet``.

Every run reads the Parquet files and writes the scored rows as Parquet. A
warm-up run on a 1,000-row file first starts the cluster or JVM and loads the
model in every worker (its time is the "start-up" column); the timed run then
reuses those workers, and its wall-clock time covers reading, scoring and
writing the whole dataset. Peak memory covers both runs.
``rows/s per worker`` divides by the number of workers; ``workers for
100M/h`` and ``1B/h`` divide those row counts per hour by that rate (rounded up),
assuming the rate holds as workers are added (each worker scores its own
partitions and shares nothing but the input and output storage).

The shipped ``fast`` model (n-gram) scores the full dataset. The ``default``
model (n-gram + sentence-encoder cascade) is ~100x slower per row, so it is
measured on the first ``--semantic-rows`` rows only (default 200,000) and its
extrapolation rests on that smaller run.

Run: python benchmarks/scale_out.py [--rows 10000000] [--semantic-rows 200000] [--spark-rows N]
         [--configs local,dask-1,dask-2,spark-1,spark-2] [--semantic-configs local,dask-2,spark-2]
         [--models fast,default] [--json results.json]
``--spark-rows`` gives the Spark runs the first files only (at least that many rows), where
scoring the whole dataset on Spark would not fit the time at hand.
Needs the ``dask`` and ``spark`` extras, a Java runtime for Spark, and ``psutil``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIGS = {
    "local": ("score_file, 1 process", 1),
    "dask-1": ("Dask, 1 worker", 1),
    "dask-2": ("Dask, 2 workers", 2),
    "spark-1": ("Spark local[1]", 1),
    "spark-2": ("Spark local[2]", 2),
}


def make_dataset(directory: Path, rows: int, file_rows: int) -> int:
    """Write ``rows`` rows (``id``, ``text``) of repeated tickets as Parquet files; return the number of files."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from training.dev_sets import load_tickets

    texts = np.array(load_tickets()["text"].tolist(), dtype=object)
    directory.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, rows, file_rows):
        ids = np.arange(start, min(start + file_rows, rows))
        table = pa.table({"id": ids, "text": pa.array(texts[ids % len(texts)], type=pa.string())})
        pq.write_table(table, directory / f"tickets-{files:05d}.parquet")
        files += 1
    return files


def run_config(config: str, data: Path, output: Path, model: str) -> dict:
    """Score ``data`` into ``output`` with one configuration (in this process); return rows and seconds.

    A warm-up run first scores a 1,000-row file: it starts the cluster or JVM and loads the model in every
    worker; its time is reported as ``startup_seconds``, and the timed run reuses those workers.
    """
    import pyarrow.parquet as pq

    warm = output.parent / "warm"
    warm.mkdir()
    pq.write_table(pq.read_table(sorted(data.glob("*.parquet"))[0]).slice(0, 1000), warm / "warm.parquet")
    workers = CONFIGS[config][1]
    start = time.perf_counter()
    if config == "local" or config.startswith("dask"):
        from classifier.datasets import score_dataset
        from classifier.scoring import resolve_model

        options: dict = dict(engine="local", n_workers=workers, chunk_size=50_000, progress=False)
        cluster = None
        if config == "local":
            options["model"] = resolve_model(model)  # loaded once, before the timed run
        else:
            import distributed

            cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            options.update(model=model, engine="dask", scheduler=cluster.scheduler_address)
            with distributed.Client(cluster) as client:  # every worker loads the model now, not in the timed run
                from classifier.worker_model import prepare, worker_model

                reference = prepare(model)[1]
                client.run(lambda: worker_model(reference) and None)
        score_dataset(warm, output.parent / "warm-out", **options)
        startup = time.perf_counter() - start
        start = time.perf_counter()
        rows = score_dataset(data, output, **options).rows
        seconds = time.perf_counter() - start
        if cluster is not None:
            cluster.close()
    else:
        from pyspark.sql import SparkSession

        import classifier.spark

        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        spark = (
            SparkSession.builder.master(f"local[{workers}]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "2g")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        warm_frame = spark.read.parquet(str(warm)).repartition(workers)
        classifier.spark.score(warm_frame, model=model).write.parquet(str(output.parent / "warm-out"))
        startup = time.perf_counter() - start
        start = time.perf_counter()
        classifier.spark.score(spark.read.parquet(str(data)), model=model).write.parquet(str(output))
        seconds = time.perf_counter() - start
        rows = spark.read.parquet(str(output)).count()
        spark.stop()
    return {"rows": rows, "seconds": seconds, "startup_seconds": startup}


def _sample_memory(pid: int, stop: threading.Event, peak: dict) -> None:
    import psutil

    root = psutil.Process(pid)
    while not stop.is_set():
        try:
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        sizes = []
        for process in processes:
            try:
                sizes.append((process.memory_info().rss, os.path.basename(process.cmdline()[0])))
            except (psutil.NoSuchProcess, psutil.AccessDenied, IndexError):
                pass
        peak["total"] = max(peak.get("total", 0), sum(size for size, _ in sizes))
        pythons = [size for size, program in sizes if program.startswith("python")]
        peak["largest_python"] = max([peak.get("largest_python", 0), *pythons])
        peak["jvm"] = max([peak.get("jvm", 0), *[size for size, program in sizes if program == "java"]])
        stop.wait(0.2)


def measure(config: str, data: Path, model: str) -> dict:
    """Run one configuration in a fresh subprocess; add its peak memory."""
    with tempfile.TemporaryDirectory(dir=data.parent) as scratch:
        command = [sys.executable, __file__, "--run", config, "--data", str(data), "--model", model]
        command += ["--output", str(Path(scratch) / "out")]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        stop, peak = threading.Event(), {}
        sampler = threading.Thread(target=_sample_memory, args=(process.pid, stop, peak), daemon=True)
        sampler.start()
        stdout, _ = process.communicate()
        stop.set()
        sampler.join()
        if process.returncode != 0:
            return {"config": config, "model": model, "error": f"exit code {process.returncode}"}
        result = json.loads(stdout.strip().splitlines()[-1])
    workers = CONFIGS[config][1]
    rate = result["rows"] / result["seconds"]
    per_worker = rate / workers
    return {
        "config": config,
        "model": model,
        **result,
        "rows_per_s": rate,
        "rows_per_s_per_worker": per_worker,
        "peak_total_mb": peak.get("total", 0) / 2**20,
        "peak_largest_python_mb": peak.get("largest_python", 0) / 2**20,
        "peak_jvm_mb": peak.get("jvm", 0) / 2**20,
        "workers_100m_per_hour": math.ceil(100e6 / 3600 / per_worker),
        "workers_1b_per_hour": math.ceil(1e9 / 3600 / per_worker),
    }


def _first_rows(data: Path, rows: int) -> Path:
    """A dataset of the first files of ``data`` holding at least ``rows`` rows (symbolic links, no copy)."""
    import pyarrow.parquet as pq

    subset = data.parent / f"{data.name}-first-{rows}"
    subset.mkdir()
    held = 0
    for path in sorted(data.glob("*.parquet")):
        if held >= rows:
            break
        (subset / path.name).symlink_to(path)
        held += pq.ParquetFile(path).metadata.num_rows
    return subset


def table(results: list[dict]) -> str:
    lines = [
        "| model | configuration | rows | seconds | rows/s | rows/s per worker | peak RSS, all processes (MB) "
        "| largest Python process (MB) | JVM (MB) | workers for 100M rows/h | workers for 1B rows/h "
        "| start-up (s) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['model']} | {CONFIGS[r['config']][0]} | failed: {r['error']} |" + " |" * 9)
            continue
        lines.append(
            f"| {r['model']} | {CONFIGS[r['config']][0]} | {r['rows']:,} | {r['seconds']:.0f} | {r['rows_per_s']:,.0f} "
            f"| {r['rows_per_s_per_worker']:,.0f} | {r['peak_total_mb']:,.0f} | {r['peak_largest_python_mb']:,.0f} "
            f"| {r['peak_jvm_mb']:,.0f} | {r['workers_100m_per_hour']:,} | {r['workers_1b_per_hour']:,} "
            f"| {r['startup_seconds']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--semantic-rows", type=int, default=200_000)
    parser.add_argument(
        "--spark-rows", type=int, help="Spark scores only the first files, this many rows (default: all of --rows)"
    )
    parser.add_argument("--file-rows", type=int, default=500_000)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--semantic-configs", default="local,dask-2,spark-2")
    parser.add_argument("--models", default="fast,default")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_config(args.run, Path(args.data), Path(args.output), args.model)))
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="itwork-scale-") as scratch:
        models = args.models.split(",")
        sizes = {"fast": args.rows, "default": args.semantic_rows}
        for model in models:
            data = Path(scratch) / f"data-{model}"
            started = time.perf_counter()
            files = make_dataset(data, sizes[model], min(args.file_rows, max(sizes[model] // 4, 1)))
            print(
                f"{model}: {sizes[model]:,} rows in {files} files, made in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            configs = args.configs if model == "fast" else args.semantic_configs
            spark_data = _first_rows(data, args.spark_rows) if model == "fast" and args.spark_rows else data
            for config in configs.split(","):
                result = measure(config, spark_data if config.startswith("spark") else data, model)
                print(json.dumps(result), file=sys.stderr)
                results.append(result)
            shutil.rmtree(data)
            shutil.rmtree(spark_data, ignore_errors=True)
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
