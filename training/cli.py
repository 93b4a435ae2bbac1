"""The training commands of ``itwork``: ``train``, ``evaluate``, ``audit`` and ``tune-threshold``.

:func:`register` adds them to the ``itwork`` parser; pyproject.toml names it
as the ``training`` entry point of the ``itwork.commands`` group, so the
library finds the commands without importing this package. Each handler makes
one call into ``training`` and prints what the ``format_*`` function below makes of it.
"""

from __future__ import annotations

import argparse
import json
import sys

from classifier.cli.parser import (
    JSON,
    MAX_TEXT_CHARS,
    MODEL,
    OVERWRITE,
    TEXT_COLUMN,
    add_legacy_model,
    model_path,
    probability,
)
from classifier.encoder_specs import DEFAULT_ENCODER, ENCODERS

__all__ = ["register", "LABEL_COLUMN", "CROSS_VALIDATION"]


def _parent(build) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    build(parent)
    return parent


LABEL_COLUMN = _parent(
    lambda p: p.add_argument(
        "--label-column", default="label", metavar="COLUMN", help="column holding the label (default: label)"
    )
)


def _cross_validation(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the cross-validation split")


CROSS_VALIDATION = _parent(_cross_validation)

#: Parameter names in messages of these commands -> option (scikit-learn's splitter names the folds n_splits).
FLAGS = {"n_splits": "--folds", "top": "--top", "precision": "--precision"}


# --- formatters: result -> printed text ---------------------------------------------------------------------


def format_trained(result, folds: int) -> str:
    metrics = result.metrics
    lines = [
        f"cross-validated ({folds}-fold): accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f} "
        f"on {metrics['n']} examples; model saved to {result.path}"
    ]
    mine = result.user_metrics
    if mine is not None:
        lines.append(
            f"your rows alone: accuracy {mine['accuracy']:.3f}, macro-F1 {mine['macro_f1']:.3f} on {mine['n']} "
            "examples (each scored by a model trained on the corpus and your other rows)"
        )
    return "\n".join(lines)


def format_evaluation(metrics: dict, report: str | None) -> str:
    from training.evaluate import duplicates_note

    lines = [
        f"{metrics['n']} examples: accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}",
        f"{'label':<26}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}",
    ]
    for label, row in metrics["per_class"].items():
        lines.append(
            f"{label:<26}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}{row['support']:>10}"
        )
    review = metrics["review"]
    lines.append(
        f"ECE {metrics['ece']:.3f}; {review['kept']:.1%} accepted by the review thresholds "
        f"at precision {review['precision_kept']:.3f}"
    )
    for name, base in metrics["baselines"].items():
        lines.append(f"baseline {name}: accuracy {base['accuracy']:.3f}, macro-F1 {base['macro_f1']:.3f}")
    note = duplicates_note(metrics)
    if note:
        lines.append(note)
    if report:
        lines.append(f"report written to {report}")
    return "\n".join(lines)


def format_audit(issues, top: int, output: str | None) -> str:
    """The ``top`` most suspicious rows, one line each."""
    lines = [f"{len(issues)} rows whose label looks wrong (most likely first):"]
    extra = list(issues.columns[: list(issues.columns).index("row")])  # the input's own columns, ids first
    for _, row in issues.head(top).iterrows():
        change = f"{row['given_label']} -> {row['suggested_label']} (p={row['score']:.2f})"
        ident = f" ({row[extra[0]]})" if extra else ""
        lines.append(f"  row {row['row']}{ident}: {change}  {row['text'][:90]}")
    if output and output != "-":
        lines.append(f"wrote {output}")
    return "\n".join(lines)


def format_tuning(tuning, path) -> str:
    lines = [
        f"thresholds for precision {tuning.precision_target:.2f}, saved in {path}:",
        f"{'label':<26}{'threshold':>10}{'predicted':>10}{'kept':>8}{'coverage':>10}{'precision':>10}",
    ]
    for label, row in tuning.per_class.items():
        lines.append(
            f"{label:<26}{row['threshold']:>10.3f}{row['predicted']:>10}{row['kept']:>8}"
            f"{row['coverage']:>10.1%}{row['precision']:>10.3f}"
        )
    lines.append(f"overall: {tuning.coverage:.1%} of predictions kept at precision {tuning.precision:.3f}")
    return "\n".join(lines)


# --- handlers: one training call each -----------------------------------------------------------------------


def train(args: argparse.Namespace) -> int:
    from training.checks import check_folds, check_user_weight

    check_folds(args.folds)  # before the libraries load: a typo costs no wait
    if args.with_default_corpus:
        check_user_weight(args.user_weight)
    from training.pipeline import TrainConfig, train_model

    result = train_model(
        None if args.data == "default" else args.data,
        args.output,
        config=TrainConfig(
            model={
                "calibration": args.calibration,
                "encoder": None if args.encoder == "none" else args.encoder,
                **({} if args.max_text_chars is None else {"max_text_chars": args.max_text_chars}),
            },
            folds=args.folds,
            seed=args.seed,
        ),
        text_column=args.text_column,
        label_column=args.label_column,
        register_column=args.register_column,
        with_default_corpus=args.with_default_corpus,
        user_weight=args.user_weight,
        drop_duplicates=args.drop_duplicates,
        overwrite=args.overwrite,
        progress=False if args.quiet else None,
    )
    print(format_trained(result, args.folds))
    return 0


def evaluate(args: argparse.Namespace) -> int:
    from training.evaluate import evaluate_file

    metrics = evaluate_file(
        model_path(args), args.data, args.text_column, args.label_column, report=args.report, overwrite=args.overwrite
    )
    print(json.dumps(metrics, indent=2) if args.json else format_evaluation(metrics, args.report))
    return 0


def audit(args: argparse.Namespace) -> int:
    from training.checks import check_count, check_folds

    check_folds(args.folds)
    check_count(args.top, "top")
    from training.audit import audit_file
    from training.pipeline import TrainConfig

    issues = audit_file(
        args.data,
        args.output,
        args.text_column,
        args.label_column,
        config=TrainConfig(folds=args.folds, seed=args.seed),
        overwrite=args.overwrite,
        with_default_corpus=args.with_default_corpus,
        model_path=args.model,
    )
    print(format_audit(issues, args.top, args.output), file=sys.stderr if args.output == "-" else sys.stdout)
    return 0


def tune_threshold(args: argparse.Namespace) -> int:
    from training.tuning import tune_bundle_thresholds

    tuning, path = tune_bundle_thresholds(
        model_path(args),
        args.data,
        args.precision,
        args.output,
        args.text_column,
        args.label_column,
        overwrite=args.overwrite,
    )
    print(format_tuning(tuning, path))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``train``, ``evaluate``, ``audit`` and ``tune-threshold`` to the ``itwork`` parser."""
    parser = subparsers.add_parser(
        "train",
        parents=[TEXT_COLUMN, LABEL_COLUMN, CROSS_VALIDATION, OVERWRITE, MAX_TEXT_CHARS],
        help="train a model bundle on labelled data",
    )
    parser.add_argument("data", help="labelled file (text and label columns); 'default' for the shipped corpus alone")
    parser.add_argument("-o", "--output", required=True, help="directory to write the model bundle to")
    parser.add_argument(
        "--register-column",
        default="register",
        help="optional column naming each text's kind (ticket, task_statement ...); the model keeps each kind's "
        "label mix for --priors KIND (default: 'register', if the file has it)",
    )
    parser.add_argument("--with-default-corpus", action="store_true", help="add the shipped corpus to your data")
    parser.add_argument(
        "--user-weight", type=float, default=1.0, help="sample weight of your rows with --with-default-corpus"
    )
    parser.add_argument("--drop-duplicates", action="store_true", help="drop repeated texts with the same label")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print no progress (shown on stderr when it is a terminal); warnings still show",
    )
    parser.add_argument(
        "--calibration",
        choices=["auto", "none", "temperature", "sigmoid", "isotonic"],
        default="auto",
        help="probability calibration (default auto: lowest out-of-fold log loss)",
    )
    parser.add_argument(
        "--encoder",
        choices=[*ENCODERS, "none"],
        default=DEFAULT_ENCODER,
        help=f"sentence encoder of the semantic part (default {DEFAULT_ENCODER}); 'none' trains the n-gram model "
        "alone, as the shipped 'fast' model",
    )
    parser.set_defaults(run=train, flags=FLAGS)

    parser = subparsers.add_parser(
        "evaluate",
        parents=[MODEL, TEXT_COLUMN, LABEL_COLUMN, OVERWRITE, JSON],
        help="metrics of a model on labelled data",
    )
    add_legacy_model(parser)
    parser.add_argument("data", help="labelled file with text and label columns")
    parser.add_argument("--report", metavar="DIR", help="write metrics.json, report.md and report.html here")
    parser.set_defaults(run=evaluate, flags=FLAGS)

    parser = subparsers.add_parser(
        "audit",
        parents=[TEXT_COLUMN, LABEL_COLUMN, CROSS_VALIDATION, OVERWRITE],
        help="rank rows of a labelled file whose label is likely wrong",
    )
    parser.add_argument("data", help="labelled file with text and label columns")
    parser.add_argument("-o", "--output", help="write all flagged rows here (CSV, Excel, ...; - for stdout)")
    parser.add_argument("--top", type=int, default=20, help="rows to print (default 20)")
    parser.add_argument(
        "--with-default-corpus",
        action="store_true",
        help="fit each fold's model on the shipped corpus too: fewer of your rows are needed and labels may be missing",
    )
    parser.add_argument(
        "-m",
        "--model",
        metavar="DIR",
        help="score the rows with this model bundle ('default', 'fast' or a directory) instead of fitting; "
        "it must not have been trained on them",
    )
    parser.set_defaults(run=audit, flags=FLAGS)

    parser = subparsers.add_parser(
        "tune-threshold",
        parents=[MODEL, TEXT_COLUMN, LABEL_COLUMN, OVERWRITE],
        help="pick review thresholds that reach a target precision and store them in the model",
        description="Pick per-label review thresholds that reach a target precision on labelled data, and store "
        "them in the model bundle: --model is updated in place, or the tuned copy goes to -o "
        "(needed for the shipped default model).",
    )
    add_legacy_model(parser)
    parser.add_argument("data", help="labelled file the model was not trained on")
    parser.add_argument("--precision", type=probability, default=0.9, help="target precision (default 0.9)")
    parser.add_argument("-o", "--output", help="write the tuned bundle here instead of updating the model in place")
    parser.set_defaults(run=tune_threshold, flags=FLAGS)
