"""Library errors as the CLI prints them: one line, Python parameter names turned into flags.

Library messages speak in Python terms (``overwrite=True``,
``text_column='description'``); :func:`cli_message` rewrites them with the
option that sets each parameter (``--overwrite``, ``--text-column description``).

>>> cli_message(ValueError("column 'text' not found; use text_column='description'."))
"column 'text' not found; use --text-column description."
>>> cli_message(ValueError("out.csv already exists; pass overwrite=True or choose another path"))
'out.csv already exists; pass --overwrite or choose another path'
>>> cli_message(ValueError("setting n_splits=2 or more, got n_splits=1."), {"n_splits": "--folds"})
'setting --folds 2 or more, got --folds 1.'
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

__all__ = ["FLAGS", "cli_message"]

#: Library parameter name -> the option that sets it, for every command.
FLAGS: dict[str, str] = {
    "overwrite": "--overwrite",
    "text_column": "--text-column",
    "label_column": "--label-column",
    "register_column": "--register-column",
    "hours_column": "--hours-column",
    "group_by": "--group-by",
    "encoding": "--encoding",
    "prefix": "--prefix",
    "priors": "--priors",
    "min_confidence": "--min-confidence",
    "chunk_size": "--chunk-size",
    "n_jobs": "--jobs",
    "output": "--output",
    "model_path": "--model",
    "folds": "--folds",
    "drop_duplicates": "--drop-duplicates",
    "with_default_corpus": "--with-default-corpus",
    "user_weight": "--user-weight",
    "max_text_chars": "--max-text-chars",
}

# name=VALUE where VALUE is a quoted string, True, or a bare word or number (NAME, 2, 0.5); or a bare name=
_VALUE = r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[\w+-]+(?:\.\d+)?)?"


def cli_message(error: BaseException | str, extra: Mapping[str, str] | None = None) -> str:
    """``error``'s message on one line, with each ``parameter=value`` of the table as ``--flag value``.

    ``extra`` adds a command's own names (e.g. scikit-learn's ``n_splits`` for ``--folds``).
    """
    flags = {**FLAGS, **(extra or {})}
    message = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
    names = "|".join(sorted(map(re.escape, flags), key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.-])(?P<name>{names})={_VALUE}")

    def flag(match: re.Match) -> str:
        option, value = flags[match["name"]], match["value"]
        if value is None or value == "True":
            return option
        if value[0] in "'\"":
            value = shlex.quote(value[1:-1])
        return f"{option} {value}"

    return pattern.sub(flag, message)
