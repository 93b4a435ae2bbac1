"""``python -m training DATA -o DIR [options]`` is ``itwork train DATA -o DIR [options]``."""

import sys

from classifier.cli import main
from training.cli import register

sys.exit(main(["train", *sys.argv[1:]], commands=[register]))
