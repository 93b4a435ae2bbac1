"""Command line ``itwork``: ``predict | score | job | portfolio``, plus the commands of installed packages.

A thin layer over the library, in the manner of sqlite-utils' ``cli.py``:

======================  ===========================================================
``parser``              options shared by several commands (``--model``,
                        ``--text-column``, ``--overwrite`` ...), value types, and
                        discovery of commands from ``itwork.commands`` entry points
``commands``            the library's commands: one library call each
``format``              the text printed for each result
``errors``              library messages in CLI terms (``overwrite=True`` ->
                        ``--overwrite``)
``app``                 ``main``: parse, run, errors as one line and exit code 2
======================  ===========================================================

``training`` registers ``train``, ``evaluate``, ``audit`` and ``tune-threshold``
through its entry point; this package never imports it.
"""

from classifier.cli.app import main, main_entry
from classifier.cli.parser import build_parser

__all__ = ["main", "main_entry", "build_parser"]
