"""Which language the learner reads, Chinese or English, and T(), which
picks a message's words in it.

COURSE_LANG=zh (or en) decides; without it, the first of LC_ALL,
LC_MESSAGES and LANG that is set, Chinese when it starts with "zh".
`./course --lang zh|en` sets COURSE_LANG. The tests' explanations follow
the same rule (exercises/testing/explain.h), and the tool passes it on to
them as COURSE_LANG.

Every message the tool prints is written where it is printed, English and
Chinese side by side, as the tests' Explain(en, zh) is:

    T("{n} of {total} checks pass", "{total} 项检查通过了 {n} 项",
      n=run.passed, total=run.total)

Both texts take the same str.format fields (English's plural ending,
{s}, aside: the Chinese has none). //i18n:sync_test records each
T() message's English in i18n/messages.lock, so that changing the English
without the Chinese fails (CONTRIBUTING.md, "Two languages"). The files
the tool writes for machines (results.json, CSV) keep English names.
argparse's own words (usage, its errors) are not the tool's: their Chinese
is in argparse_zh.py.
"""

import os


def chinese_wanted(environ=None):
    environ = os.environ if environ is None else environ
    for name in ("COURSE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return value.startswith("zh")
    return False


def choose(code):
    """Makes `code` ("zh" or "en") the language of this process and of the
    tests it runs, as COURSE_LANG=code would."""
    os.environ["COURSE_LANG"] = code


def T(en, zh, **fields):
    """en or zh, whichever the learner reads, with `fields` filled in
    (str.format) when any are given."""
    text = zh if chinese_wanted() else en
    return text.format(**fields) if fields else text

