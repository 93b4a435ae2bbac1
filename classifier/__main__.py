"""``python -m classifier`` runs the ``itwork`` command line."""

import sys

from classifier.cli import main

sys.exit(main())
