"""Which language the learner reads: Chinese or English.

COURSE_LANG=zh (or en) decides; without it, the first of LC_ALL,
LC_MESSAGES and LANG that is set, Chinese when it starts with "zh". The
tests' explanations follow the same rule (exercises/testing/explain.h), and
the tool passes it on to them as COURSE_LANG.
"""

import os


def chinese_wanted(environ=None):
    environ = os.environ if environ is None else environ
    for name in ("COURSE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return value.startswith("zh")
    return False
