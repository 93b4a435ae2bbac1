"""The library's commands: ``predict``, ``score``, ``job`` and ``portfolio``.

Each handler makes one library call and prints what :mod:`classifier.cli.format`
makes of the result. Summaries go to stderr when the data itself goes to stdout (``-o -``).
"""

from __future__ import annotations

import argparse
import sys

from classifier.cli import format
from classifier.cli.parser import (
    ENCODING,
    ESCAPE_FORMULAS,
    JSON,
    MAX_TEXT_CHARS,
    MODEL,
    OVERWRITE,
    TEXT_COLUMN,
    jobs,
    model_path,
    priors,
    probability,
)
from classifier.errors import InvalidValueError

__all__ = ["register"]


def _load(args: argparse.Namespace):
    from classifier.persistence import load_model

    if hasattr(args, "quiet"):  # a command with a progress bar: say what the first seconds are spent on
        from classifier.progress import announce

        announce(f"itwork {args.command}: loading model {model_path(args)} ...", False if args.quiet else None)
    model = load_model(model_path(args))
    if getattr(args, "max_text_chars", None) is not None:
        model.set_params(max_text_chars=args.max_text_chars)
    return model


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
        # A path: on a cluster each worker loads the bundle from it once; a changed parameter needs the object.
        model = model_path(args) if args.max_text_chars is None else _load(args)
        summary = score_dataset(
            args.input,
            args.output,
            model=model,
            engine=args.engine,
            scheduler=args.scheduler,
            n_workers=args.jobs,
            **options,
        )
    else:
        summary = score_file(
            args.input,
            args.output,
            model=_load(args),
            encoding=args.encoding,
            n_jobs=args.jobs,
            escape_formulas=args.escape_formulas,
            **options,
        )
    if not args.quiet:
        print(format.score_summary(summary), file=_summary_stream(args))
    return 0


def job(args: argparse.Namespace) -> int:
    from classifier.jobs import analyze_job_source

    analysis = analyze_job_source(
        args.source,
        model=_load(args),
        text_column=args.text_column,
        weights_column=args.weights_column,
        encoding=args.encoding,
    )
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
        exclude_review=args.exclude_review,
        exclude_out_of_scope=args.exclude_out_of_scope,
        min_confidence=args.min_confidence,
        priors=args.priors,
        n_jobs=args.jobs,
        progress=False if args.quiet else None,
        escape_formulas=args.escape_formulas,
    )
    if not args.quiet:
        print(format.portfolio(analysis, written), file=_summary_stream(args))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``predict``, ``score``, ``job`` and ``portfolio`` to the ``itwork`` parser."""
    parser = subparsers.add_parser(
        "predict", parents=[MODEL, JSON, MAX_TEXT_CHARS], help="label texts given on the command line"
    )
    parser.add_argument("texts", nargs="+", metavar="TEXT", help="one or more texts to label")
    parser.set_defaults(run=predict)

    parser = subparsers.add_parser(
        "score",
        parents=[TEXT_COLUMN, MODEL, ENCODING, OVERWRITE, ESCAPE_FORMULAS, MAX_TEXT_CHARS],
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
    _scoring_options(parser, jobs_default="all cores for inputs of 64 MiB or more on 3+ cores, else 1")
    parser.set_defaults(run=score)

    parser = subparsers.add_parser(
        "job",
        parents=[MODEL, JSON, TEXT_COLUMN, ENCODING],
        help="split a job description or work log into activities and show its label mix",
    )
    parser.add_argument(
        "source",
        metavar="FILE_OR_TEXT",
        help="a text file, - for standard input, or the text itself; or a table (CSV, TSV, JSONL, Parquet, Excel) "
        "whose rows are entries of a work log, read from --text-column",
    )
    parser.add_argument(
        "--weights-column",
        "--hours-column",
        dest="weights_column",
        metavar="COLUMN",
        help="read FILE as a table and weight each row by this column (hours, or shares of time), shared equally "
        "among the row's activities (default: each activity counts once)",
    )
    parser.set_defaults(run=job, flags={"weights_column": "--weights-column"})

    parser = subparsers.add_parser(
        "portfolio",
        parents=[TEXT_COLUMN, MODEL, ENCODING, OVERWRITE, ESCAPE_FORMULAS, MAX_TEXT_CHARS],
        help="share of hours or items per label for a task list or timesheet",
    )
    parser.add_argument("input", help="CSV, TSV, JSONL, Parquet or Excel file; - for CSV on stdin")
    parser.add_argument("--hours-column", help="column of hours per row (default: each row counts once)")
    parser.add_argument(
        "--group-by", action="append", metavar="COLUMN", help="column to break the mix down by; repeat for more"
    )
    parser.add_argument("--report", metavar="DIR", help="write report.md, report.html and charts into DIR")
    parser.add_argument("-o", "--output", help="write every row with its label and probabilities (- for stdout)")
    parser.add_argument(
        "--exclude-review",
        action="store_true",
        help="leave rows whose label needs review (low confidence) out of the shares (they are counted either way)",
    )
    parser.add_argument(
        "--exclude-out-of-scope",
        action="store_true",
        help="leave out-of-scope rows (no IT work) out of the shares (they are counted either way)",
    )
    _scoring_options(parser)
    parser.set_defaults(run=portfolio)


def _scoring_options(parser: argparse.ArgumentParser, jobs_default: str = "1") -> None:
    """``--min-confidence``, ``--priors``, ``--jobs`` and ``--quiet``, spelled as ``score`` spells them."""
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
    parser.add_argument("-j", "--jobs", type=jobs, help=f"worker processes; -1 for all cores (default: {jobs_default})")
    parser.add_argument("-q", "--quiet", action="store_true", help="print no summary and no progress bar")
