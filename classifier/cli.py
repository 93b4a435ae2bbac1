"""Command line: ``itwork predict | score | train | evaluate``.

A thin layer: a parser, one library call per command, and library errors
turned into one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import warnings
from collections.abc import Sequence

from classifier.errors import ITWorkError
from classifier.labels import LABEL_IDS

__all__ = ["main", "build_parser"]


def _cmd_predict(args: argparse.Namespace) -> int:
    from classifier.persistence import load_model

    model = load_model(args.model)
    predictions = [model.classify(text) for text in args.texts]
    if args.json:
        print(json.dumps([p.to_dict() for p in predictions], indent=2))
        return 0
    for prediction in predictions:
        terms = ", ".join(term for term, _ in prediction.top_terms) or "-"
        print(f"{prediction.label}\t{prediction.confidence:.2f}\t{terms}\t{prediction.text}")
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    from classifier.persistence import load_model
    from classifier.scoring import score_file

    summary = score_file(
        args.input,
        args.output,
        model=load_model(args.model),
        text_column=args.text_column,
        chunk_size=args.chunk_size,
        overwrite=args.overwrite,
        prefix=args.prefix,
        encoding=args.encoding,
        n_jobs=args.jobs,
        progress=False if args.quiet else None,
    )
    if not args.quiet:
        stream = sys.stderr if args.output == "-" else sys.stdout
        print(
            f"scored {summary.scored} of {summary.rows} rows ({summary.blank} with blank text left unscored)",
            file=stream,
        )
        for label, share in summary.shares().items():
            print(f"  {label:<26}{share:7.1%}  ({summary.label_counts[label]})", file=stream)
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from training.pipeline import TrainConfig, train_model

    result = train_model(
        None if args.data == "default" else args.data,
        args.output,
        config=TrainConfig(folds=args.folds, seed=args.seed),
        text_column=args.text_column,
        label_column=args.label_column,
        with_default_corpus=args.with_default_corpus,
        user_weight=args.user_weight,
        drop_duplicates=args.drop_duplicates,
        overwrite=args.overwrite,
    )
    metrics = result.metrics
    print(
        f"cross-validated ({args.folds}-fold): accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f} "
        f"on {metrics['n']} examples; model saved to {result.path}"
    )
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from training.evaluate import evaluate_file

    metrics = evaluate_file(
        None if args.model == "default" else args.model, args.data, args.text_column, args.label_column
    )
    if args.json:
        print(json.dumps(metrics, indent=2))
        return 0
    print(f"{metrics['n']} examples: accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}")
    print(f"{'label':<26}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}")
    for label, row in metrics["per_class"].items():
        print(f"{label:<26}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}{row['support']:>10}")
    return 0


def _jobs(value: str) -> int:
    jobs = int(value)
    if jobs == 0:
        raise argparse.ArgumentTypeError("--jobs must not be 0; use 1 for one process or -1 for all cores")
    return jobs


def build_parser() -> argparse.ArgumentParser:
    from classifier import __version__

    parser = argparse.ArgumentParser(
        prog="itwork",
        description="Sort descriptions of IT work into " + ", ".join(LABEL_IDS) + ".",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    predict = commands.add_parser("predict", help="label texts given on the command line")
    predict.add_argument("texts", nargs="+", metavar="TEXT", help="one or more texts to label")
    predict.add_argument("--model", help="model bundle directory (default: the shipped model)")
    predict.add_argument("--json", action="store_true", help="print JSON instead of a table")
    predict.set_defaults(run=_cmd_predict)

    score = commands.add_parser("score", help="add labels and probabilities to every row of a table")
    score.add_argument("input", help="CSV, TSV, JSONL, Parquet or Excel file; - for CSV on stdin")
    score.add_argument("-o", "--output", required=True, help="output file (format from extension); - for CSV on stdout")
    score.add_argument("--text-column", default="text", help="column holding the text (default: text)")
    score.add_argument("--model", help="model bundle directory (default: the shipped model)")
    score.add_argument("--chunk-size", type=int, default=20_000, help="rows read and scored at a time")
    score.add_argument("--prefix", default="", help="prefix for the added column names")
    score.add_argument("--encoding", help="input text encoding (default: detected; UTF-8, UTF-16 with BOM, cp1252)")
    score.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    score.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        help="worker processes; -1 for all cores (default: all cores for inputs of 64 MiB or more, else 1)",
    )
    score.add_argument("-q", "--quiet", action="store_true", help="print no summary and no progress bar")
    score.set_defaults(run=_cmd_score)

    train = commands.add_parser("train", help="train a model bundle on labelled data")
    train.add_argument("data", help="labelled file (text and label columns); 'default' for the shipped corpus alone")
    train.add_argument("-o", "--output", required=True, help="directory to write the model bundle to")
    train.add_argument("--text-column", default="text")
    train.add_argument("--label-column", default="label")
    train.add_argument("--with-default-corpus", action="store_true", help="add the shipped corpus to your data")
    train.add_argument(
        "--user-weight", type=float, default=1.0, help="sample weight of your rows with --with-default-corpus"
    )
    train.add_argument("--drop-duplicates", action="store_true", help="drop repeated texts with the same label")
    train.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    train.add_argument("--seed", type=int, default=0, help="seed of the cross-validation split")
    train.add_argument(
        "--overwrite", action="store_true", help="replace the output directory once the new model is complete"
    )
    train.set_defaults(run=_cmd_train)

    evaluate = commands.add_parser("evaluate", help="metrics of a model on labelled data")
    evaluate.add_argument("model", help="model bundle directory, or 'default'")
    evaluate.add_argument("data", help="labelled file with text and label columns")
    evaluate.add_argument("--text-column", default="text")
    evaluate.add_argument("--label-column", default="label")
    evaluate.add_argument("--json", action="store_true", help="print all metrics as JSON")
    evaluate.set_defaults(run=_cmd_evaluate)
    return parser


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an exception so that temporary outputs are cleaned up on the way out."""


def _raise_terminated(signum, frame) -> None:
    raise _Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 success, 2 bad input or usage, 130/143 interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = lambda message, *rest, **kw: print(f"itwork: warning: {message}", file=sys.stderr)
            return args.run(args)
    except ITWorkError as error:
        print(f"itwork {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as interrupt:
        print(f"itwork {args.command}: interrupted; no output was written", file=sys.stderr)
        return 143 if isinstance(interrupt, _Terminated) else 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def main_entry() -> None:
    """Console-script entry point: ``itwork``."""
    sys.exit(main())
