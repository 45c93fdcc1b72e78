"""python3 -m coursetool (with the repository root on the path): see
./course --help."""

import sys

from coursetool import cli

sys.exit(cli.main())
