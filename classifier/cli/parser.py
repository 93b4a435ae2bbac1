"""The ``itwork`` argument parser: options shared by several commands, value types, command discovery.

Options used by more than one command are defined once here, as parent
parsers (``parents=[MODEL, TEXT_COLUMN]``), so every command spells them the
same way. Commands come from :mod:`classifier.cli.commands` and from the
``itwork.commands`` entry points of installed packages (``training`` adds
``train``, ``evaluate``, ``audit`` and ``tune-threshold`` that way).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from classifier.errors import InvalidValueError
from classifier.labels import LABEL_IDS

__all__ = [
    "ENTRY_POINT_GROUP",
    "MODEL",
    "TEXT_COLUMN",
    "OVERWRITE",
    "JSON",
    "ENCODING",
    "ESCAPE_FORMULAS",
    "MAX_TEXT_CHARS",
    "build_parser",
    "command_registrars",
    "model_path",
    "add_legacy_model",
    "probability",
    "priors",
    "jobs",
    "positive_int",
]

#: Entry-point group of functions ``register(subparsers)`` that add commands to ``itwork``.
ENTRY_POINT_GROUP = "itwork.commands"

Registrar = Callable[["argparse._SubParsersAction"], None]


def _parent(*flags: str, **options) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(*flags, **options)
    return parent


MODEL = _parent(
    "-m",
    "--model",
    default="default",
    metavar="DIR",
    help="model bundle directory written by itwork train, or a shipped model: 'default' (most accurate) or 'fast' "
    "(n-gram only, for very large files) (default: default)",
)
TEXT_COLUMN = _parent("--text-column", default="text", metavar="COLUMN", help="column holding the text (default: text)")
OVERWRITE = _parent(
    "--overwrite", action="store_true", help="replace outputs that already exist (only once the new ones are complete)"
)
JSON = _parent("--json", action="store_true", help="print JSON instead of a table")
ESCAPE_FORMULAS = _parent(
    "--no-escape-formulas",
    dest="escape_formulas",
    action="store_false",
    help="write CSV/TSV cells starting with = + - @ as they are (default: prefix them with ' so that a spreadsheet "
    "does not run them as formulas; Excel outputs always hold text)",
)
ENCODING = _parent("--encoding", help="input text encoding (default: detected; UTF-8, UTF-16 with BOM, cp1252)")


def positive_int(value: str) -> int:
    """A whole number of 1 or more."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {value!r}")
    return number


MAX_TEXT_CHARS = _parent(
    "--max-text-chars",
    type=positive_int,
    metavar="N",
    help="characters of each text the model reads; longer texts are cut, with a warning (default: the model's, "
    "100,000)",
)


def model_path(args: argparse.Namespace) -> str | None:
    """The model named by ``--model`` (or a legacy positional MODEL): a directory, or a shipped model's name."""
    legacy = getattr(args, "legacy_model", None)
    if legacy is not None and args.model != "default" and legacy != args.model:
        raise InvalidValueError(f"two models given: {legacy} and --model {args.model}; give one")
    name = legacy if legacy is not None else args.model
    return name


def add_legacy_model(parser: argparse.ArgumentParser) -> None:
    """Also accept the model as an optional first positional (the spelling before ``--model``; not shown in help)."""
    parser.add_argument("legacy_model", nargs="?", help=argparse.SUPPRESS)


def probability(value: str) -> float:
    """A number from 0 to 1."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {value!r}")
    return number


def priors(value: str) -> str | dict[str, float]:
    """``auto``, a register name, or ``LABEL=SHARE,...`` pairs."""
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


def jobs(value: str) -> int:
    """A worker count: not 0; -1 for all cores."""
    count = int(value)
    if count == 0:
        raise argparse.ArgumentTypeError("--jobs must not be 0; use 1 for one process or -1 for all cores")
    return count


def command_registrars() -> list[Registrar]:
    """The ``register`` functions of the installed ``itwork.commands`` entry points, by name."""
    from importlib.metadata import entry_points

    found = {(point.name, point.value): point for point in entry_points(group=ENTRY_POINT_GROUP)}
    return [point.load() for _, point in sorted(found.items())]


def build_parser(commands: Sequence[Registrar] | None = None) -> argparse.ArgumentParser:
    """The ``itwork`` parser: the library's commands, then those ``commands`` register (default: the entry points)."""
    from classifier import __version__
    from classifier.cli import commands as library_commands

    parser = argparse.ArgumentParser(
        prog="itwork",
        description="Sort descriptions of IT work into " + ", ".join(LABEL_IDS) + ".",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    library_commands.register(subparsers)
    for register in command_registrars() if commands is None else commands:
        register(subparsers)
    return parser
