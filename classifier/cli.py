"""Command line: ``itwork predict | score | train | evaluate | job | portfolio``.

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
        flag = "out of scope" if not prediction.in_scope else "review" if prediction.needs_review else "ok"
        print(f"{prediction.label}\t{prediction.confidence:.2f}\t{flag}\t{terms}\t{prediction.text}")
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
        min_confidence=args.min_confidence,
        n_jobs=args.jobs,
        progress=False if args.quiet else None,
        priors=args.priors,
    )
    if not args.quiet:
        stream = sys.stderr if args.output == "-" else sys.stdout
        print(
            f"scored {summary.scored} of {summary.rows} rows ({summary.blank} with blank text left unscored)",
            file=stream,
        )
        for label, share in summary.shares().items():
            print(f"  {label:<26}{share:7.1%}  ({summary.label_counts[label]})", file=stream)
        print(f"  {summary.needs_review} rows need review ({summary.out_of_scope} of them out of scope)", file=stream)
        if summary.label_priors:
            shown = ", ".join(f"{label} {share:.1%}" for label, share in summary.label_priors.items())
            print(f"  probabilities adjusted to label priors: {shown}", file=stream)
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from training.pipeline import TrainConfig, train_model

    result = train_model(
        None if args.data == "default" else args.data,
        args.output,
        config=TrainConfig(model={"calibration": args.calibration}, folds=args.folds, seed=args.seed),
        text_column=args.text_column,
        label_column=args.label_column,
        register_column=args.register_column,
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
        None if args.model == "default" else args.model,
        args.data,
        args.text_column,
        args.label_column,
        report=args.report,
        overwrite=args.overwrite,
    )
    if args.json:
        print(json.dumps(metrics, indent=2))
        return 0
    print(f"{metrics['n']} examples: accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}")
    print(f"{'label':<26}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}")
    for label, row in metrics["per_class"].items():
        print(f"{label:<26}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}{row['support']:>10}")
    review = metrics["review"]
    print(
        f"ECE {metrics['ece']:.3f}; {review['kept']:.1%} accepted by the review thresholds "
        f"at precision {review['precision_kept']:.3f}"
    )
    for name, base in metrics["baselines"].items():
        print(f"baseline {name}: accuracy {base['accuracy']:.3f}, macro-F1 {base['macro_f1']:.3f}")
    if args.report:
        print(f"report written to {args.report}")
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from training.audit import audit_file
    from training.pipeline import TrainConfig

    issues = audit_file(
        args.data,
        args.output,
        args.text_column,
        args.label_column,
        config=TrainConfig(folds=args.folds, seed=args.seed),
        overwrite=args.overwrite,
    )
    stream = sys.stderr if args.output == "-" else sys.stdout
    print(f"{len(issues)} rows whose label looks wrong (most likely first):", file=stream)
    for row in issues.head(args.top).itertuples():
        print(
            f"  row {row.row}: {row.given_label} -> {row.suggested_label} (p={row.score:.2f})  {row.text[:90]}",
            file=stream,
        )
    if args.output and args.output != "-":
        print(f"wrote {args.output}", file=stream)
    return 0


def _cmd_tune_threshold(args: argparse.Namespace) -> int:
    from training.tuning import tune_bundle_thresholds

    tuning, path = tune_bundle_thresholds(
        None if args.model == "default" else args.model,
        args.data,
        args.precision,
        args.output,
        args.text_column,
        args.label_column,
    )
    print(f"thresholds for precision {tuning.precision_target:.2f}, saved in {path}:")
    print(f"{'label':<26}{'threshold':>10}{'predicted':>10}{'kept':>8}{'coverage':>10}{'precision':>10}")
    for label, row in tuning.per_class.items():
        print(
            f"{label:<26}{row['threshold']:>10.3f}{row['predicted']:>10}{row['kept']:>8}"
            f"{row['coverage']:>10.1%}{row['precision']:>10.3f}"
        )
    print(f"overall: {tuning.coverage:.1%} of predictions kept at precision {tuning.precision:.3f}")
    return 0


def _priors(value: str) -> str | dict[str, float]:
    if "=" not in value and value.strip():
        return value.strip()  # 'auto' or a register name; the library checks the name
    pairs = [pair.partition("=") for pair in value.split(",") if pair.strip()]
    try:
        return {label.strip(): float(share) for label, sign, share in pairs if sign}
    except ValueError:
        raise argparse.ArgumentTypeError(
            "expected 'auto', a register such as 'ticket', or LABEL=SHARE pairs such as "
            "ktlo=0.2,commodity_outsourceable=0.75,"
            f"business_enabling=0.05; got {value!r}"
        ) from None


def _probability(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {value!r}")
    return number


def _cmd_job(args: argparse.Namespace) -> int:
    from classifier.jobs import analyze_job, read_job_text
    from classifier.persistence import load_model

    job = analyze_job(read_job_text(args.source), model=load_model(args.model))
    if args.json:
        print(json.dumps(job.to_dict(), indent=2))
        return 0
    print(f"{'line':>4}  {'label':<24} {'conf':>5}  activity")
    for activity in job.activities:
        print(f"{activity.line:>4}  {activity.label:<24} {activity.confidence:>5.2f}  {activity.text}")
    print()
    print(job.summary())
    for line in job.recommendations.values():
        print(f"  {line}")
    if job.high_value:
        print("high-value activities (business_enabling, most confident first):")
        for rank, activity in enumerate(job.high_value[:5], start=1):
            print(f"  {rank}. {activity.text}")
    counts = job.set_aside_counts()
    detail = ", ".join(f"{kind} {count}" for kind, count in counts.items())
    print(f"set aside as no activity: {len(job.set_aside)} piece(s)" + (f" ({detail})" if detail else ""))
    return 0


def _cmd_portfolio(args: argparse.Namespace) -> int:
    from classifier.persistence import load_model
    from classifier.portfolio import portfolio_file

    analysis, written = portfolio_file(
        args.input,
        args.text_column,
        hours_column=args.hours_column,
        group_by=args.group_by,
        model=load_model(args.model),
        report=args.report,
        output=args.output,
        overwrite=args.overwrite,
        encoding=args.encoding,
    )
    stream = sys.stderr if args.output == "-" else sys.stdout
    measure = analysis.measure
    print(
        f"labelled {analysis.scored} of {analysis.scored + analysis.blank} rows "
        f"({analysis.blank} with blank text left unscored); share of {measure}:",
        file=stream,
    )
    for label in LABEL_IDS:
        print(f"  {label:<26}{analysis.overall[label]:7.1%}  ({analysis.totals[label]:g} {measure})", file=stream)
    for column, table in analysis.groups.items():
        print(f"by {column}:", file=stream)
        print(
            f"  {column[:24]:<24}{measure:>9}" + "".join(f"{label:>{max(len(label), 6) + 2}}" for label in LABEL_IDS),
            file=stream,
        )
        for name, row in table.iterrows():
            shares = "".join(f"{row[label]:>{max(len(label), 6) + 2}.1%}" for label in LABEL_IDS)
            print(f"  {str(name)[:24]:<24}{row[measure]:>9g}{shares}", file=stream)
    if written:
        print("wrote " + ", ".join(written), file=stream)
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
        "--min-confidence",
        type=_probability,
        help="mark predictions below this confidence as needs_review (default: the model's thresholds per label)",
    )
    score.add_argument(
        "--priors",
        type=_priors,
        metavar="auto|REGISTER|LABEL=SHARE,...",
        help="adjust probabilities to this data's label proportions: estimated (auto), those of a kind of text in "
        "the training data (e.g. ticket, for a service-desk export) or given",
    )
    score.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        help="worker processes; -1 for all cores (default: all cores for inputs of 64 MiB or more on 3+ cores, else 1)",
    )
    score.add_argument("-q", "--quiet", action="store_true", help="print no summary and no progress bar")
    score.set_defaults(run=_cmd_score)

    train = commands.add_parser("train", help="train a model bundle on labelled data")
    train.add_argument("data", help="labelled file (text and label columns); 'default' for the shipped corpus alone")
    train.add_argument("-o", "--output", required=True, help="directory to write the model bundle to")
    train.add_argument("--text-column", default="text")
    train.add_argument("--label-column", default="label")
    train.add_argument(
        "--register-column",
        default="register",
        help="optional column naming each text's kind (ticket, task_statement ...); the model keeps each kind's "
        "label mix for --priors KIND (default: 'register', if the file has it)",
    )
    train.add_argument("--with-default-corpus", action="store_true", help="add the shipped corpus to your data")
    train.add_argument(
        "--user-weight", type=float, default=1.0, help="sample weight of your rows with --with-default-corpus"
    )
    train.add_argument("--drop-duplicates", action="store_true", help="drop repeated texts with the same label")
    train.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    train.add_argument("--seed", type=int, default=0, help="seed of the cross-validation split")
    train.add_argument(
        "--calibration",
        choices=["auto", "none", "temperature", "sigmoid", "isotonic"],
        default="auto",
        help="probability calibration (default auto: lowest out-of-fold log loss)",
    )
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
    evaluate.add_argument("--report", metavar="DIR", help="write metrics.json, report.md and report.html here")
    evaluate.add_argument("--overwrite", action="store_true", help="replace an earlier report in DIR")
    evaluate.set_defaults(run=_cmd_evaluate)

    audit = commands.add_parser("audit", help="rank rows of a labelled file whose label is likely wrong")
    audit.add_argument("data", help="labelled file with text and label columns")
    audit.add_argument("-o", "--output", help="write all flagged rows here (CSV, Excel, ...; - for stdout)")
    audit.add_argument("--text-column", default="text")
    audit.add_argument("--label-column", default="label")
    audit.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    audit.add_argument("--seed", type=int, default=0, help="seed of the cross-validation split")
    audit.add_argument("--top", type=int, default=20, help="rows to print (default 20)")
    audit.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    audit.set_defaults(run=_cmd_audit)

    tune = commands.add_parser(
        "tune-threshold", help="pick review thresholds that reach a target precision and store them in the model"
    )
    tune.add_argument("model", help="model bundle directory to update in place, or 'default' (needs -o)")
    tune.add_argument("data", help="labelled file the model was not trained on")
    tune.add_argument("--precision", type=_probability, default=0.9, help="target precision (default 0.9)")
    tune.add_argument("-o", "--output", help="write the tuned bundle here instead of updating MODEL")
    tune.add_argument("--text-column", default="text")
    tune.add_argument("--label-column", default="label")
    tune.set_defaults(run=_cmd_tune_threshold)

    job = commands.add_parser("job", help="split a job description into activities and show its label mix")
    job.add_argument("source", metavar="FILE_OR_TEXT", help="a text file, - for standard input, or the text itself")
    job.add_argument("--model", help="model bundle directory (default: the shipped model)")
    job.add_argument("--json", action="store_true", help="print JSON instead of a table")
    job.set_defaults(run=_cmd_job)

    portfolio = commands.add_parser("portfolio", help="share of hours or items per label for a task list or timesheet")
    portfolio.add_argument("input", help="CSV, TSV, JSONL, Parquet or Excel file; - for CSV on stdin")
    portfolio.add_argument("--text-column", default="text", help="column holding the task text (default: text)")
    portfolio.add_argument("--hours-column", help="column of hours per row (default: each row counts once)")
    portfolio.add_argument(
        "--group-by", action="append", metavar="COLUMN", help="column to break the mix down by; repeat for more"
    )
    portfolio.add_argument("--report", metavar="DIR", help="write report.md, report.html and charts into DIR")
    portfolio.add_argument("-o", "--output", help="write every row with its label and probabilities (- for stdout)")
    portfolio.add_argument("--encoding", help="input text encoding (default: detected)")
    portfolio.add_argument("--model", help="model bundle directory (default: the shipped model)")
    portfolio.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    portfolio.set_defaults(run=_cmd_portfolio)
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
