"""Model cards: render a bundle's ``card.json`` data as readable Markdown."""

from __future__ import annotations

from classifier.labels import LABELS
from classifier.markdown import markdown_table

__all__ = ["render_model_card"]


def _metrics_table(metrics: dict) -> list[str]:
    lines = [
        f"- accuracy: **{metrics['accuracy']:.3f}**, macro-F1: **{metrics['macro_f1']:.3f}** "
        f"(n = {metrics.get('n', '?')})",
        "",
    ]
    lines += markdown_table(
        ["label", "precision", "recall", "F1", "support"],
        [
            [label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", row["support"]]
            for label, row in metrics["per_class"].items()
        ],
    )
    matrix = metrics.get("confusion_matrix")
    if matrix:
        labels = matrix["labels"]
        lines += ["", "Confusion matrix (rows: true label, columns: predicted):", ""]
        lines += markdown_table(
            ["true \\ predicted", *labels], [[label, *row] for label, row in zip(labels, matrix["matrix"])]
        )
    return lines


def _table_section(title: str, intro: str, columns: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown section: heading, one paragraph, a table, a blank line."""
    return [f"## {title}", "", intro, "", *markdown_table(columns, rows), ""]


def render_model_card(card: dict) -> str:
    """Markdown for people from the card data saved with a bundle.

    >>> text = render_model_card({"classes": ["ktlo"], "params": {}, "versions": {"spacy": "3"}})
    >>> text.splitlines()[0]
    '# Model card: it-work-classifier'
    """
    lines = ["# Model card: it-work-classifier", ""]
    if card.get("name"):
        lines += [f"Model: `{card['name']}`", ""]
    if card.get("created"):
        lines += [f"Created: {card['created']}", ""]
    lines += [
        "## What it does",
        "",
        "Sorts a free-text description of IT work (a ticket, timesheet line, job duty, backlog item, "
        "task statement) into one of three labels:",
        "",
    ]
    for label in card.get("classes", []):
        info = LABELS.get(label)
        if info:
            lines.append(f"- `{label}` ({info.name}): {info.meaning}; action: {info.action}.")
    lines += [
        "",
        "Intended use: showing IT leaders where their team's time goes, in aggregate. Single predictions "
        "can be wrong; use the confidence and review uncertain items before acting on one item.",
        "",
    ]
    data = card.get("training_data")
    if data:
        lines += ["## Training data", ""]
        for source in data.get("sources", []):
            lines.append(f"- `{source['path']}`: {source['rows']} rows, SHA-256 `{source['sha256']}`")
        counts = data.get("label_counts", {})
        if counts:
            lines += ["", *markdown_table(["label", "examples"], counts.items())]
        lines.append("")
    if card.get("cross_validation"):
        cv = card["cross_validation"]
        lines += [
            f"## Cross-validated metrics ({cv.get('folds', '?')}-fold, stratified, seed {cv.get('seed', '?')})",
            "",
        ]
        lines += _metrics_table(cv["metrics"]) + [""]
        if cv.get("user_rows"):
            intro = "Each scored by a model trained on the corpus and the other folds:"
            lines += ["### The user's rows alone", "", intro, ""]
            lines += _metrics_table(cv["user_rows"]) + [""]
    calibration = card.get("calibration") or {}
    if calibration.get("out_of_fold"):
        lines += _table_section(
            "Calibration",
            f"Method used: **{calibration.get('method')}**, the lowest out-of-fold log loss of those compared:",
            ["method", "log loss", "expected calibration error"],
            [
                [method, f"{row['log_loss']:.3f}", f"{row['ece']:.3f}"]
                for method, row in calibration["out_of_fold"].items()
            ],
        )
    review = card.get("review") or {}
    if review.get("per_class"):
        where = review.get("tuned_on", {}).get("path", "out-of-fold predictions of the training data")
        lines += _table_section(
            "Review thresholds",
            f"Predictions below these confidences need review; tuned for precision "
            f"{review.get('precision_target')} on {where}.",
            ["label", "threshold", "coverage kept", "precision kept"],
            [
                [label, f"{row['threshold']:.3f}", f"{row['coverage']:.1%}", f"{row['precision']:.3f}"]
                for label, row in review["per_class"].items()
            ],
        )
    registers = card.get("register_priors") or {}
    if registers:
        labels = list(next(iter(registers.values())))
        lines += _table_section(
            "Label mix by register",
            "Label shares of each kind of text in the training data (add-one smoothed). "
            "`itwork score --priors REGISTER` adjusts probabilities to one of them, e.g. `--priors ticket` "
            "for a service-desk export.",
            ["register", *labels],
            [[register, *(f"{mix[label]:.1%}" for label in labels)] for register, mix in registers.items()],
        )
    adapted = card.get("adapted_registers") or []
    if adapted:
        lines += [
            "## Register adaptation",
            "",
            f"Registers with their own copy of the word features: {', '.join(adapted)}. When predicting, the copy "
            "counts in proportion to how much a text reads like that register (see `classifier.registers`).",
            "",
        ]
    semantic = card.get("semantic") or {}
    if semantic:
        lines += _table_section(
            "Semantic part",
            f"Sentence encoder **{semantic['encoder']}** (max {semantic['max_length']} tokens), run with "
            f"onnxruntime; the {semantic['n_neighbors']} nearest training texts vote. Texts whose n-gram "
            f"confidence is below {semantic['cascade_threshold']} get {semantic['semantic_weight']:.0%} of their "
            "probabilities from that vote; predictions are explained by those texts. The encoder's files are data "
            "(an ONNX graph, a tokenizer JSON), checked against these SHA-256 sums when the bundle is loaded:",
            ["file", "package", "SHA-256", "licence", "source"],
            [
                [f"`{file['path']}`", file["package"] or "it-work-classifier", f"`{file['sha256']}`",
                 file["licence"], file["source"]]
                for file in semantic["files"]
            ],
        )  # fmt: skip
    for name, metrics in (card.get("evaluations") or {}).items():
        lines += [f"## Evaluation: {name}", ""] + _metrics_table(metrics) + [""]
    configuration = [[key, f"`{value}`"] for key, value in sorted(card.get("params", {}).items())]
    if card.get("seed") is not None:
        configuration.append(["seed", f"`{card['seed']}`"])
    lines += ["## Configuration", "", *markdown_table(["parameter", "value"], configuration)]
    lines += ["", "## Library versions", ""]
    lines += [f"- {package} {version}" for package, version in card.get("versions", {}).items()]
    environment = card.get("environment") or {}
    if environment:
        lines += [
            "",
            "## Training environment",
            "",
            "Retraining on the same data reproduces this model with these versions (`itwork train` warns otherwise):",
            "",
            f"- Python {environment.get('python')} on {environment.get('machine')}",
        ]
        lines += [f"- {package} {version}" for package, version in (environment.get("packages") or {}).items()]
        lines += [f"- BLAS: {library}" for library in environment.get("blas") or []]
    lines.append("")
    return "\n".join(lines)
