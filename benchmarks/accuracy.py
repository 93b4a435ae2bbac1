"""Accuracy and calibration of model bundles on every labelled set in ../shared/data.

Needs ../shared/data beside the checkout (or ITWORK_SHARED_DATA). O*NET task
statements: O*NET 29.3 Database, U.S. Department of Labor/Employment and
Training Administration, CC BY 4.0.

Prints one Markdown table: per model and labelled set, macro-F1, accuracy,
expected calibration error, the share of predictions the model's own review
thresholds accept and their precision, the coverage reachable at precision 0.9
with per-label thresholds tuned on that set (an upper bound), and the share of
all 47,837 tickets called business_enabling.

With --priors, each set is scored a second time with probabilities adjusted
to label priors estimated by EM from ALL unlabelled texts of its source (the
692 O*NET tasks, the 47,837 tickets), as `itwork score --priors auto` does;
no dev label is used for that. And a third time with the label mix of the
set's kind of text in the training corpus (`--priors task_statement` for
O*NET, `--priors ticket` for tickets), if the model has register mixes.

Run: python benchmarks/accuracy.py [--priors] [MODEL_DIR ...]   (default: the shipped model)
To compare with an uncalibrated model:
    itwork train default -o /tmp/uncalibrated --calibration none
    python benchmarks/accuracy.py /tmp/uncalibrated models/default

With --protocols (issue 14), no bundle is loaded for scoring: each
configuration of the n-gram and semantic parts is fitted on the training
corpus (``training/data/corpus.csv``, with its registers, as ``itwork train
default`` does; ``ITWorkClassifier`` defaults plus the parameters below) and
scored on every protocol. One Markdown table; rows:

* n-gram: ``encoder=None`` (what ``models/fast`` is);
* semantic: kNN alone, ``cascade_threshold=1.0, semantic_weight=1.0``;
* combined: the average everywhere, ``cascade_threshold=1.0, semantic_weight=0.5``;
* cascade 0.7/0.5: the shipped default (``cascade_threshold=0.7, semantic_weight=0.5``);
* cascade 0.9/0.5.

Columns: macro-F1 on the 281 O*NET dev tasks and on the 120 dev tickets
(averaged over the labels present in the truth: the tickets hold only ktlo and
commodity_outsourceable); leave-one-occupation-out (LOOO) over the 14 O*NET
dev occupations; 5-fold cross-validation on the corpus grouped by register
(``GroupKFold`` on the ``register`` column, so a register's rows never straddle
folds: each fold holds out whole kinds of text; pooled macro-F1 of the
out-of-fold predictions, each configuration refitted per fold); the share of
texts the semantic part scored (``decide(...).semantic``) on all 692 O*NET
tasks and on the 47,837 tickets; and texts/s of one ``decide`` call on those
(the first call after fitting; the encoder session is already open).

LOOO: every configuration is fixed and trained on the corpus alone, never on
O*NET, so holding one occupation out changes nothing it learns. LOOO here is
each held-out occupation scored by the configuration: the pooled macro-F1 is
the O*NET dev macro-F1 again, and the column adds the spread (min-max of the
per-occupation macro-F1, over the labels present in that occupation).

Nothing is re-encoded needlessly: every fit gets the corpus embeddings stored
in the shipped default bundle (``training.pipeline.cached_embeddings``; each
grouped-CV fold gets its training rows' share of them). Scoring encodes the
texts the configuration routes to the encoder, as a user's call would.
``--speed-sample N`` times the configurations that send every text to the
encoder (cascade_threshold 1.0) on a seeded random sample of N tickets instead
of all 47,837 (encoding them all takes minutes per configuration on 2 cores);
their share column is then that sample's too; the table says so.

Run (issue 14 numbers in RESULTS.md):
    PYTHONPATH=. python benchmarks/accuracy.py --protocols --speed-sample 3000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from classifier import load_model  # noqa: E402
from training.dev_sets import DEV_SET_REGISTERS, load_dev_sets, load_tickets, shared_data_dir  # noqa: E402
from training.evaluate import evaluate_model  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model bundle directories (default: the shipped model)")
    parser.add_argument("--priors", action="store_true", help="also score with label priors estimated per source")
    parser.add_argument(
        "--protocols",
        action="store_true",
        help="fit n-gram / semantic / combined / cascade configurations on the corpus and score every protocol",
    )
    parser.add_argument(
        "--speed-sample",
        type=int,
        default=None,
        metavar="N",
        help="with --protocols: time configurations that encode every text on N random tickets, not all",
    )
    args = parser.parse_args(argv)
    if args.protocols:
        if args.models or args.priors:
            parser.error("--protocols fits its own configurations; it takes no MODEL_DIR and no --priors")
        return protocols(args.speed_sample)
    dev = load_dev_sets()
    tickets = load_tickets()["text"].tolist()
    sources = {
        "onet_dev": pd.read_csv(shared_data_dir() / "onet_it_tasks.tsv", sep="\t")["text"].tolist(),
        "tickets_dev": tickets,
    }
    print(
        "| model | calibration | priors | set | n | macro-F1 | accuracy | ECE | accepted by thresholds "
        "| precision accepted | coverage at 0.9 precision (tuned on set) | all tickets: business_enabling |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for path in args.models or [None]:
        model = load_model(path)
        predicted = model.predict(tickets)
        be_share = sum(label == "business_enabling" for label in predicted) / len(predicted)
        for name, frame in dev.items():
            register = DEV_SET_REGISTERS[name]
            register = register if register in (getattr(model, "register_priors_", None) or {}) else None
            extra = ("auto",) + ((register,) if register else ()) if args.priors else ()
            for adapt in (None, *extra):
                model.set_label_priors(model.estimate_label_priors(sources[name]) if adapt == "auto" else adapt)
                share = be_share
                if adapt and name == "tickets_dev":
                    share = sum(label == "business_enabling" for label in model.predict(tickets)) / len(tickets)
                m = evaluate_model(model, frame["text"].tolist(), frame["label"].tolist())
                r = m["review"]
                shown = (
                    ("register " + adapt + ": " if adapt != "auto" else "")
                    + ", ".join(f"{label[:4]} {value:.2f}" for label, value in zip(model.classes_, model.label_priors_))
                    if adapt
                    else "training"
                )
                print(
                    f"| {path or 'default'} | {model.calibration_method_} | {shown} | {name} | {m['n']} "
                    f"| {m['macro_f1']:.3f} | {m['accuracy']:.3f} | {m['ece']:.3f} | {r['kept']:.1%} "
                    f"| {r['precision_kept']:.3f} | {r['coverage_at_0.9']:.1%} | {share:.1%} |"
                )
    return 0


#: The configurations of --protocols: name and ITWorkClassifier parameters (on top of the defaults).
PROTOCOL_CONFIGS = {
    "n-gram (`encoder=None`)": {"encoder": None},
    "semantic: kNN alone (1.0 / 1.0)": {"cascade_threshold": 1.0, "semantic_weight": 1.0},
    "combined: average everywhere (1.0 / 0.5)": {"cascade_threshold": 1.0, "semantic_weight": 0.5},
    "cascade 0.7 / 0.5 (shipped default)": {"cascade_threshold": 0.7, "semantic_weight": 0.5},
    "cascade 0.9 / 0.5": {"cascade_threshold": 0.9, "semantic_weight": 0.5},
}


def _macro_f1(truth, predicted) -> float:
    """Macro-F1 over the labels present in ``truth``."""
    truth, predicted = [str(label) for label in truth], [str(label) for label in predicted]
    return float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0))


def _fit(params: dict, data: pd.DataFrame, embeddings: np.ndarray | None):
    from training.pipeline import TrainConfig

    model = TrainConfig(model=dict(params)).estimator()
    model.fit(
        data["text"].tolist(),
        data["label"].tolist(),
        registers=data["register"].tolist(),
        embeddings=None if model.encoder is None else embeddings,
    )
    return model


def _timed_decide(model, texts: list[str]):
    start = time.perf_counter()
    decided = model.decide(texts)
    return decided, len(texts) / (time.perf_counter() - start)


def protocols(speed_sample: int | None = None) -> int:
    """Print the issue-14 protocol table (see the module docstring)."""
    from classifier.model import ITWorkClassifier
    from training.data import load_default_corpus
    from training.pipeline import cached_embeddings

    corpus = load_default_corpus().reset_index(drop=True)
    texts = corpus["text"].tolist()
    embeddings = cached_embeddings(texts, ITWorkClassifier())
    missing = 0 if embeddings is None else int(np.isnan(embeddings).any(axis=1).sum())
    dev = load_dev_sets()
    onet_all = pd.read_csv(shared_data_dir() / "onet_it_tasks.tsv", sep="\t")
    row_of_task = {task: row for row, task in enumerate(onet_all["task_id"])}
    onet_dev = dev["onet_dev"]
    onet_rows = np.array([row_of_task[task] for task in onet_dev["task_id"]])
    occupations = onet_dev["occupation"].to_numpy()
    tickets = load_tickets()["text"].tolist()
    sample = (
        pd.Series(tickets).sample(n=speed_sample, random_state=14).tolist()
        if speed_sample and speed_sample < len(tickets)
        else None
    )
    groups = corpus["register"].fillna("(none)").to_numpy()
    folds = list(GroupKFold(n_splits=5).split(texts, corpus["label"], groups))
    labels = corpus["label"].to_numpy(object)

    rows = []
    for name, params in PROTOCOL_CONFIGS.items():
        started = time.perf_counter()
        model = _fit(params, corpus, embeddings)
        onet_decided, onet_speed = _timed_decide(model, onet_all["text"].tolist())
        encodes_all = model.encoder is not None and model.cascade_threshold >= 1.0
        ticket_texts = sample if (encodes_all and sample is not None) else tickets
        ticket_decided, ticket_speed = _timed_decide(model, ticket_texts)
        onet_predicted = onet_decided.labels[onet_rows]
        per_occupation = [
            _macro_f1(onet_dev["label"][occupations == job], onet_predicted[occupations == job])
            for job in sorted(set(occupations))
        ]
        tickets_dev = model.predict(dev["tickets_dev"]["text"].tolist())
        out_of_fold = np.empty(len(labels), dtype=object)
        for train, test in folds:
            fold_model = _fit(
                params,
                corpus.iloc[train],
                None if embeddings is None else embeddings[train],
            )
            out_of_fold[test] = fold_model.predict([texts[row] for row in test])
        rows.append(
            {
                "name": name,
                "onet_dev": _macro_f1(onet_dev["label"], onet_predicted),
                "tickets_dev": _macro_f1(dev["tickets_dev"]["label"], tickets_dev),
                "looo": (_macro_f1(onet_dev["label"], onet_predicted), min(per_occupation), max(per_occupation)),
                "grouped_cv": _macro_f1(labels, out_of_fold),
                "share": (float(onet_decided.semantic.mean()), float(ticket_decided.semantic.mean())),
                "sampled": ticket_texts is sample and sample is not None,
                "speed": (onet_speed, ticket_speed),
            }
        )
        print(f"<!-- {name}: {time.perf_counter() - started:.0f} s -->", file=sys.stderr, flush=True)

    fold_registers = ["+".join(sorted(set(groups[test]))) for _, test in folds]
    print(
        f"Corpus: {len(corpus):,} rows; cached embeddings for {len(corpus) - missing:,} of them. "
        f"Grouped CV folds (held-out registers): {'; '.join(fold_registers)}. "
        f"O*NET dev: {len(onet_dev)} tasks of {len(set(occupations))} occupations; "
        f"tickets dev: {len(dev['tickets_dev'])}. O*NET 29.3 Database, U.S. DOL/ETA, CC BY 4.0.\n"
    )
    ticket_header = "47,837 tickets" + (f" (‡: sample of {len(sample):,})" if sample is not None else "")
    print(
        "| configuration | O*NET dev macro-F1 | tickets dev macro-F1 | LOOO pooled (min–max per occupation) "
        f"| grouped 5-fold CV macro-F1 | to encoder: O*NET 692 / {ticket_header} "
        f"| texts/s: O*NET 692 / {ticket_header} |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        mark = " ‡" if row["sampled"] else ""
        looo = row["looo"]
        print(
            f"| {row['name']} | {row['onet_dev']:.3f} | {row['tickets_dev']:.3f} "
            f"| {looo[0]:.3f} ({looo[1]:.3f}–{looo[2]:.3f}) | {row['grouped_cv']:.3f} "
            f"| {row['share'][0]:.1%} / {row['share'][1]:.1%}{mark} "
            f"| {row['speed'][0]:,.0f} / {row['speed'][1]:,.0f}{mark} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
