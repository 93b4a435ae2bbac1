"""``python -m classifier.cli`` is ``itwork`` (as is ``python -m classifier``)."""

import sys

from classifier.cli import main

sys.exit(main())
