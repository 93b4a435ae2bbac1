"""The library's commands: ``predict``, ``score``, ``job`` and ``portfolio``.

Each handler makes one library call and prints what :mod:`classifier.cli.format`
makes of the result. Summaries go to stderr when the data itself goes to stdout (``-o -``).
"""

from __future__ import annotations

import argparse
import sys

from classifier.cli import format
from classifier.cli.parser import ENCODING, JSON, MODEL, OVERWRITE, TEXT_COLUMN, jobs, model_path, priors, probability
from classifier.errors import InvalidValueError

__all__ = ["register"]


def _load(args: argparse.Namespace):
    from classifier.persistence import load_model

    return load_model(model_path(args))


def _summary_stream(args: argparse.Namespace):
    return sys.stderr if args.output == "-" else sys.stdout


def predict(args: argparse.Namespace) -> int:
    model = _load(args)
    results = [model.classify(text) for text in args.texts]
    print(format.as_json([p.to_dict() for p in results]) if args.json else format.predictions(results))
    return 0


def score(args: argparse.Namespace) -> int:
    from classifier.datasets import is_dataset, score_dataset
    from classifier.scoring import score_file

    options = dict(
        model=model_path(args),  # loaded once by the library; on a cluster, each worker loads it from this path
        text_column=args.text_column,
        chunk_size=args.chunk_size,
        overwrite=args.overwrite,
        prefix=args.prefix,
        min_confidence=args.min_confidence,
        progress=False if args.quiet else None,
        priors=args.priors,
        explain=args.explain,
    )
    if is_dataset(args.input) or args.engine != "local" or args.scheduler is not None:
        if args.output == "-":
            raise InvalidValueError("a Parquet dataset is written as a directory of parts; give -o DIRECTORY, not -")
        summary = score_dataset(
            args.input, args.output, engine=args.engine, scheduler=args.scheduler, n_workers=args.jobs, **options
        )
    else:
        summary = score_file(args.input, args.output, encoding=args.encoding, n_jobs=args.jobs, **options)
    if not args.quiet:
        print(format.score_summary(summary), file=_summary_stream(args))
    return 0


def job(args: argparse.Namespace) -> int:
    from classifier.jobs import analyze_job, read_job_text

    analysis = analyze_job(read_job_text(args.source), model=_load(args))
    print(format.as_json(analysis.to_dict()) if args.json else format.job(analysis))
    return 0


def portfolio(args: argparse.Namespace) -> int:
    from classifier.portfolio import portfolio_file

    analysis, written = portfolio_file(
        args.input,
        args.text_column,
        hours_column=args.hours_column,
        group_by=args.group_by,
        model=_load(args),
        report=args.report,
        output=args.output,
        overwrite=args.overwrite,
        encoding=args.encoding,
    )
    print(format.portfolio(analysis, written), file=_summary_stream(args))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``predict``, ``score``, ``job`` and ``portfolio`` to the ``itwork`` parser."""
    parser = subparsers.add_parser("predict", parents=[MODEL, JSON], help="label texts given on the command line")
    parser.add_argument("texts", nargs="+", metavar="TEXT", help="one or more texts to label")
    parser.set_defaults(run=predict)

    parser = subparsers.add_parser(
        "score",
        parents=[TEXT_COLUMN, MODEL, ENCODING, OVERWRITE],
        help="add labels and probabilities to every row of a table",
    )
    parser.add_argument(
        "input",
        help="CSV, TSV, JSONL, Parquet or Excel file; - for CSV on stdin; or a directory or quoted glob of Parquet "
        "files (a dataset)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="output file (format from extension); - for CSV on stdout; for a dataset, a directory of Parquet parts",
    )
    parser.add_argument(
        "--engine",
        choices=("local", "dask"),  # classifier.datasets.ENGINES, not imported: --help stays fast
        default="local",
        help="where a Parquet dataset is scored: this process, or a Dask cluster (needs the dask extra; a local "
        "cluster of --jobs worker processes unless --scheduler is given) (default: local)",
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler to run on, e.g. tcp://host:8786")
    parser.add_argument(
        "--explain", action="store_true", help="add a top_terms column: the terms that pushed each row to its label"
    )
    parser.add_argument("--chunk-size", type=int, default=20_000, help="rows read and scored at a time")
    parser.add_argument("--prefix", default="", help="prefix for the added column names")
    parser.add_argument(
        "--min-confidence",
        type=probability,
        help="mark predictions below this confidence as needs_review (default: the model's thresholds per label)",
    )
    parser.add_argument(
        "--priors",
        type=priors,
        metavar="auto|REGISTER|LABEL=SHARE,...",
        help="adjust probabilities to this data's label proportions: estimated (auto), those of a kind of text in "
        "the training data (e.g. ticket, for a service-desk export) or given",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=jobs,
        help="worker processes; -1 for all cores (default: all cores for inputs of 64 MiB or more on 3+ cores, else 1)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print no summary and no progress bar")
    parser.set_defaults(run=score)

    parser = subparsers.add_parser(
        "job", parents=[MODEL, JSON], help="split a job description into activities and show its label mix"
    )
    parser.add_argument("source", metavar="FILE_OR_TEXT", help="a text file, - for standard input, or the text itself")
    parser.set_defaults(run=job)

    parser = subparsers.add_parser(
        "portfolio",
        parents=[TEXT_COLUMN, MODEL, ENCODING, OVERWRITE],
        help="share of hours or items per label for a task list or timesheet",
    )
    parser.add_argument("input", help="CSV, TSV, JSONL, Parquet or Excel file; - for CSV on stdin")
    parser.add_argument("--hours-column", help="column of hours per row (default: each row counts once)")
    parser.add_argument(
        "--group-by", action="append", metavar="COLUMN", help="column to break the mix down by; repeat for more"
    )
    parser.add_argument("--report", metavar="DIR", help="write report.md, report.html and charts into DIR")
    parser.add_argument("-o", "--output", help="write every row with its label and probabilities (- for stdout)")
    parser.set_defaults(run=portfolio)
