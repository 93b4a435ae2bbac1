"""Scoring speed and peak memory: ours (one process, all cores; in memory, file to file) against
a bare scikit-learn TF-IDF + logistic regression and fastText, both trained on our corpus.

Needs ../shared/data beside the checkout (or ITWORK_SHARED_DATA): the 47,837
service-desk tickets are the texts scored. Needs the ``bench`` extra
(``pip install -e .[bench]``: fastText and psutil).

Every configuration runs in a fresh subprocess, so that "first call" really is
the first call after loading and peak RSS (summed over the subprocess and its
workers, sampled every 20 ms) belongs to that configuration alone. "first
call" times the first ``predict_proba``/``predict`` after loading the model;
"warm" is the best of three further calls on the same texts. fastText gets the
texts with whitespace runs (newlines included, which its ``predict`` refuses)
already collapsed, outside its timing. "all cores, in memory" sends the texts in
chunks of 5,000 to worker processes that already hold the model (their start is
not timed); "file to file" times ``score_file`` on a CSV of the tickets repeated
``--file-copies`` times, worker start included. The median of ``--repeat`` runs
is shown.

Run: python benchmarks/throughput.py [--repeat 3] [--file-copies 10]
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

CONFIGS = {
    "ours-1": "ours, 1 process, in memory",
    "ours-all": "ours, all cores, in memory",
    "ours-file-1": "ours, 1 process, file to file",
    "ours-file-all": "ours, all cores, file to file",
    "sklearn": "scikit-learn TF-IDF(1-2) + LR",
    "fasttext": "fastText (word 1-2 grams)",
}


def _tickets() -> list[str]:
    from training.dev_sets import load_tickets

    return load_tickets()["text"].tolist()


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


def _score_texts(model, texts):
    return model.predict_proba(texts)


def _run_one(config: str, file_copies: int) -> dict:
    """Measure one configuration in this process; return docs/s."""
    texts = _tickets()
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
    elif config in ("ours-1", "ours-all"):
        from classifier import load_model

        model = load_model()
        if config == "ours-1":
            first, warm = _timed(lambda: model.predict_proba(texts))
        else:
            from classifier.parallel import effective_n_jobs, ordered_map

            batches = [texts[start : start + 5000] for start in range(0, len(texts), 5000)]
            workers = effective_n_jobs(-1)
            results = ordered_map(_score_texts, model, iter(_repeat_forever(batches)), n_workers=workers)
            for _ in range(2 * workers):
                next(results)  # workers started and holding the model

            def all_cores():
                for _ in batches:
                    next(results)

            first, warm = _timed(all_cores)
            results.close()
    else:
        from classifier import load_model, score_file

        model = load_model()
        with tempfile.TemporaryDirectory() as directory:
            source = Path(directory) / "tickets.csv"
            with open(source, "w", encoding="utf-8", newline="") as handle:
                import pandas as pd

                frame = pd.DataFrame({"text": texts})
                for copy in range(file_copies):
                    frame.to_csv(handle, index=False, header=copy == 0)
            n_jobs = 1 if config == "ours-file-1" else -1
            start = time.perf_counter()
            score_file(source, Path(directory) / "scored.csv", model=model, n_jobs=n_jobs, progress=False)
            first = warm = time.perf_counter() - start
        return {"first": len(texts) * file_copies / first, "warm": len(texts) * file_copies / warm}
    return {"first": len(texts) / first, "warm": len(texts) / warm}


def _repeat_forever(items):
    while True:
        yield from items


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
    parser.add_argument("--one", choices=sorted(CONFIGS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(_run_one(args.one, args.file_copies)))
        return 0
    import joblib

    results = {}
    for config in CONFIGS:
        runs = [_measure(config, args.file_copies) for _ in range(args.repeat)]
        results[config] = {key: statistics.median(run[key] for run in runs) for key in ("first", "warm", "rss")}
    print(f"{len(_tickets()):,} tickets; {joblib.cpu_count()} cores; median of {args.repeat} runs\n")
    print("| configuration | docs/s, first call | docs/s, warm | peak RSS MiB |")
    print("|---|---|---|---|")
    for config, label in CONFIGS.items():
        result = results[config]
        print(f"| {label} | {result['first']:,.0f} | {result['warm']:,.0f} | {result['rss']:,.0f} |")
    ours, fast, bare = results["ours-1"], results["fasttext"], results["sklearn"]
    print()
    print("| ratio (1 process, in memory) | first call | warm |")
    print("|---|---|---|")
    print(f"| ours / fastText | {ours['first'] / fast['first']:.2f} | {ours['warm'] / fast['warm']:.2f} |")
    print(f"| ours / scikit-learn | {ours['first'] / bare['first']:.2f} | {ours['warm'] / bare['warm']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
