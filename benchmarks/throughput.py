"""Scoring speed, latency and peak memory of both shipped models (``default``: n-gram + semantic
cascade; ``fast``: n-gram alone) against a bare scikit-learn TF-IDF + logistic regression and fastText,
both trained on our corpus.

Needs ../shared/data beside the checkout (or ITWORK_SHARED_DATA): the 47,837
service-desk tickets are the texts scored. Needs the ``bench`` extra
(``pip install -e .[bench]``: fastText and psutil).

Every configuration runs in a fresh subprocess, so that "first call" really is
the first call after loading and peak RSS (summed over the subprocess and its
workers, sampled every 20 ms) belongs to that configuration alone. "first
call" times the first ``predict_proba``/``predict`` after loading the model;
"warm" is the best of three further calls on the same texts (one further call
for the default model: each call encodes about 4,600 tickets, tens of seconds
on 2 cores). fastText gets the texts with whitespace runs (newlines included,
which its ``predict`` refuses) already collapsed, outside its timing. "all
cores, in memory" sends the texts in chunks of 5,000 to worker processes that
already hold the model (started on small warm-up chunks, not timed); "file to
file" times ``score_file`` on a CSV of the tickets repeated ``--file-copies``
times (``--default-file-copies`` for the default model), worker start
included. The all-cores in-memory run also records, per worker process, how
many times the encoder's inference session was opened (the model reaches each
worker once, pickled without its session; the session opens on first use).

Latency: in a fresh subprocess, 20 single-text ``predict([text])`` calls to
warm up, then 200 timed ones on 200 other tickets (a seeded random sample;
with the default model, the ones its n-gram part is unsure of are encoded one
by one); p50 and p95 in milliseconds. fastText's latency is timed the same way
(``predict(text, k=-1)``) after its throughput run.

The median of ``--repeat`` runs is shown.

Run: python benchmarks/throughput.py [--repeat 3] [--file-copies 10] [--default-file-copies 1] [--models default,fast]
     python benchmarks/throughput.py --only default-latency,fast-latency   (some configurations only)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHIPPED = ("default", "fast")
CONFIGS = {
    **{
        f"{name}-{kind}": f"{name}, {label}"
        for name in SHIPPED
        for kind, label in (
            ("1", "1 process, in memory"),
            ("all", "all cores, in memory"),
            ("file-1", "1 process, file to file"),
            ("file-all", "all cores, file to file"),
        )
    },
    "sklearn": "scikit-learn TF-IDF(1-2) + LR",
    "fasttext": "fastText (word 1-2 grams)",
}
LATENCY = {f"{name}-latency": name for name in SHIPPED}
WARM_CALLS = {"default": 1}  # further calls timed after the first; 3 for the others


def _tickets() -> list[str]:
    from training.dev_sets import load_tickets

    return load_tickets()["text"].tolist()


def _latency(predict_one, texts: list[str], warm_up: int = 20) -> dict:
    """p50 and p95 milliseconds of single-text calls: ``warm_up`` untimed, then one per remaining text."""
    import numpy as np

    for text in texts[:warm_up]:
        predict_one(text)
    times = []
    for text in texts[warm_up:]:
        start = time.perf_counter()
        predict_one(text)
        times.append(time.perf_counter() - start)
    return {"p50": float(np.percentile(times, 50)) * 1000, "p95": float(np.percentile(times, 95)) * 1000}


def _latency_texts(n: int = 220) -> list[str]:
    import pandas as pd

    return pd.Series(_tickets()).sample(n=n, random_state=14).tolist()


def _timed(function, repeat: int = 3) -> tuple[float, float]:
    start = time.perf_counter()
    function()
    first = time.perf_counter() - start
    warm = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        warm.append(time.perf_counter() - start)
    return first, min(warm)


_SESSIONS_OPENED = [0]


def _score_texts(model, texts):
    """Worker side of the all-cores run: the probabilities, this worker's pid and how often it opened the encoder."""
    encoder = getattr(model, "encoder_", None)
    if encoder is not None and "open_files" not in vars(encoder):  # count the inference sessions this process opens
        opened = type(encoder).open_files

        def counting_open(paths, encoder=encoder):
            _SESSIONS_OPENED[0] += 1
            return opened(encoder, paths)

        encoder.open_files = counting_open
        if getattr(encoder, "_session", None) is not None:  # already open in this process (1 process run)
            _SESSIONS_OPENED[0] += 1
    return model.predict_proba(texts), os.getpid(), _SESSIONS_OPENED[0]


def _run_one(config: str, file_copies: int) -> dict:
    """Measure one configuration in this process; return docs/s (or latency in ms)."""
    texts = _tickets()
    if config in LATENCY:
        from classifier import load_model

        model = load_model(LATENCY[config])
        sample = _latency_texts()
        result = _latency(lambda text: model.predict([text]), sample)
        if model.encoder_ is not None:
            result["encoded"] = float(model.decide(sample[20:]).semantic.mean())
        return result
    if config == "sklearn":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        from training.data import load_default_corpus

        corpus = load_default_corpus()
        model = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(C=10.0, max_iter=2000)
        ).fit(corpus["text"], corpus["label"])
        first, warm = _timed(lambda: model.predict_proba(texts))
    elif config == "fasttext":
        import fasttext

        from training.data import load_default_corpus

        corpus = load_default_corpus()
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
            for text, label in zip(corpus["text"], corpus["label"]):
                handle.write(f"__label__{label} {' '.join(text.lower().split())}\n")
        model = fasttext.train_supervised(handle.name, wordNgrams=2, epoch=25, verbose=0)
        os.unlink(handle.name)
        clean = [" ".join(text.split()) for text in texts]
        first, warm = _timed(lambda: model.predict(clean, k=-1))
        latency = _latency(lambda text: model.predict(text, k=-1), [" ".join(t.split()) for t in _latency_texts()])
        return {"first": len(texts) / first, "warm": len(texts) / warm, **latency}
    elif config.endswith(("-1", "-all")) and "-file-" not in config:
        from classifier import load_model

        name = config.rsplit("-", 1)[0]
        model = load_model(name)
        repeat = WARM_CALLS.get(name, 3)
        if config.endswith("-1"):
            first, warm = _timed(lambda: model.predict_proba(texts), repeat)
            return {"first": len(texts) / first, "warm": len(texts) / warm}
        from classifier.parallel import effective_n_jobs, ordered_map

        batches = [texts[start : start + 5000] for start in range(0, len(texts), 5000)]
        workers = effective_n_jobs(-1)
        warm_up = [texts[start : start + 100] for start in range(0, 100 * 2 * workers, 100)]
        opened: dict[int, int] = {}

        def items():  # exactly what is consumed: closing the generator early can hang loky's shutdown
            yield from warm_up
            for _ in range(1 + repeat):
                yield from batches

        if getattr(model, "encoder_", None) is not None:  # as score_file does: one encoder thread per worker
            model.encoder_.set_params(n_threads=1)
        results = ordered_map(_score_texts, model, items(), n_workers=workers)
        for _ in warm_up:
            _, pid, count = next(results)  # workers started and holding the model
            opened[pid] = count

        def all_cores():
            for _ in batches:
                _, pid, count = next(results)
                opened[pid] = count

        first, warm = _timed(all_cores, repeat)
        for _ in results:  # nothing is left; ends the generator normally, so the workers shut down cleanly
            pass
        return {
            "first": len(texts) / first,
            "warm": len(texts) / warm,
            "workers": len(opened),
            "sessions_per_worker": max(opened.values()) if opened else 0,
        }
    else:
        from classifier import load_model, score_file

        name = config.split("-file-")[0]
        model = load_model(name)
        with tempfile.TemporaryDirectory() as directory:
            source = Path(directory) / "tickets.csv"
            with open(source, "w", encoding="utf-8", newline="") as handle:
                import pandas as pd

                frame = pd.DataFrame({"text": texts})
                for copy in range(file_copies):
                    frame.to_csv(handle, index=False, header=copy == 0)
            n_jobs = 1 if config.endswith("-file-1") else -1
            start = time.perf_counter()
            score_file(source, Path(directory) / "scored.csv", model=model, n_jobs=n_jobs, progress=False)
            first = warm = time.perf_counter() - start
        return {"first": len(texts) * file_copies / first, "warm": len(texts) * file_copies / warm}
    return {"first": len(texts) / first, "warm": len(texts) / warm}


def _measure(config: str, file_copies: int) -> dict:
    """Run one configuration in a subprocess; add its peak RSS summed over its process tree."""
    import psutil

    process = subprocess.Popen(
        [sys.executable, __file__, "--one", config, "--file-copies", str(file_copies)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        parent = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{config} failed with exit code {process.returncode}")
    return {**json.loads(output.strip().splitlines()[-1]), "rss": peak / 2**20}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration (the median is shown)")
    parser.add_argument("--file-copies", type=int, default=10, help="copies of the tickets in the file-to-file CSV")
    parser.add_argument(
        "--default-file-copies", type=int, default=1, help="copies of the tickets in the default model's CSV"
    )
    parser.add_argument(
        "--models",
        default=",".join(SHIPPED),
        help="shipped models to measure, comma-separated (default: default,fast); fastText and scikit-learn always run",
    )
    parser.add_argument(
        "--only",
        help="measure only these configurations (comma-separated keys: "
        + ", ".join([*CONFIGS, *LATENCY])
        + ") and print their medians",
    )
    parser.add_argument("--one", choices=sorted({*CONFIGS, *LATENCY}), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    models = [name for name in SHIPPED if name in args.models.split(",")]
    configs = {
        config: label
        for config, label in CONFIGS.items()
        if config.split("-")[0] not in SHIPPED or config.split("-")[0] in models
    }
    latency = {config: name for config, name in LATENCY.items() if name in models}
    only = args.only.split(",") if args.only else None
    if only:
        unknown = sorted(set(only) - {*CONFIGS, *LATENCY})
        if unknown:
            parser.error(f"unknown configurations {unknown}")
        configs = {config: label for config, label in CONFIGS.items() if config in only}
        latency = {config: name for config, name in LATENCY.items() if config in only}
    if args.one:
        print(json.dumps(_run_one(args.one, args.file_copies)))
        return 0
    import joblib

    def copies(config: str) -> int:
        return args.default_file_copies if config.startswith("default-") else args.file_copies

    results = {}
    # Interleaved: each round runs every configuration once, so load changes on this shared machine
    # spread over all configurations instead of hitting one.
    rounds = []
    for round_number in range(args.repeat):
        rounds.append({})
        for config in [*configs, *latency]:
            rounds[-1][config] = _measure(config, copies(config))
            print(json.dumps({"round": round_number, "config": config, **rounds[-1][config]}), file=sys.stderr)
    for config in [*configs, *latency]:
        runs = [round_[config] for round_ in rounds]
        results[config] = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    if only:
        print(f"{joblib.cpu_count()} cores; median of {args.repeat} runs\n")
        print("| configuration | medians |")
        print("|---|---|")
        for config, result in results.items():
            shown = ", ".join(f"{key} {value:,.2f}" for key, value in result.items())
            print(f"| {CONFIGS.get(config) or LATENCY[config] + ', single text'} | {shown} |")
        return 0
    print(
        f"{len(_tickets()):,} tickets; {joblib.cpu_count()} cores; median of {args.repeat} runs; "
        f"file to file: {args.file_copies} copies ({args.default_file_copies} for the default model)\n"
    )
    print("| configuration | docs/s, first call | docs/s, warm | peak RSS MiB |")
    print("|---|---|---|---|")
    for config, label in configs.items():
        result = results[config]
        print(f"| {label} | {result['first']:,.0f} | {result['warm']:,.0f} | {result['rss']:,.0f} |")
    print()
    print("| single text, `predict([text])` | p50 ms | p95 ms | peak RSS MiB |")
    print("|---|---|---|---|")
    for config, name in latency.items():
        result = results[config]
        encoded = f" ({result['encoded']:.0%} of the 200 encoded)" if "encoded" in result else ""
        print(f"| {name}{encoded} | {result['p50']:.2f} | {result['p95']:.2f} | {result['rss']:,.0f} |")
    fasttext = results["fasttext"]
    print(f"| fastText, `predict(text, k=-1)` | {fasttext['p50']:.3f} | {fasttext['p95']:.3f} | – |")
    print()
    print("| ratio (1 process, in memory) | first call | warm |")
    print("|---|---|---|")
    bare = results["sklearn"]
    for name in models:
        ours = results[f"{name}-1"]
        print(
            f"| {name} / fastText | {ours['first'] / fasttext['first']:.2f} | {ours['warm'] / fasttext['warm']:.2f} |"
        )
        print(f"| {name} / scikit-learn | {ours['first'] / bare['first']:.2f} | {ours['warm'] / bare['warm']:.2f} |")
    if "default" not in models:
        return 0
    default = results["default-all"]
    print(
        f"\nDefault model, all cores: {default['workers']:.0f} worker processes; encoder sessions opened per worker "
        f"(most, median over runs): {default['sessions_per_worker']:.0f}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
