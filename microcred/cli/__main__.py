"""`python -m microcred.cli`, as the `microcred` script."""

import sys

from microcred.cli import main

sys.exit(main())
