"""python3 -m course (with exercises/ on the path): see ./course --help."""

import sys

from course import cli

sys.exit(cli.main())
