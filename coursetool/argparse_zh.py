"""argparse's own words (usage, its section titles, its errors) in Chinese
for a learner who reads Chinese (lang.chinese_wanted()); English as
argparse writes it otherwise.

argparse looks each of its texts up, when it uses it, through the module's
`_` and `ngettext` (gettext's). install() replaces those two with
functions that answer from the tables below under Chinese and ask the
original ones otherwise, so that every parser, and the parsers the tests
build in one process in either language, speaks the language wanted at the
moment it speaks. A parser's section titles and its -h help are looked up
when it is built: build it after the language is chosen.

The tables hold the texts of Python 3.11's argparse that a command line
can bring to the screen; the ones only a programming mistake raises
(conflicting option strings, a bad dest=, ...) stay English.
argparse_zh_test.py checks that each text is still one argparse uses, and
that its Chinese takes the same %-fields.
"""

import argparse

from .lang import chinese_wanted

ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示这份帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s":
        "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "无效的选择：%(value)r（可选的有：%(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "没有子命令 %(parser_name)r（可选的有：%(choices)s）",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的 %(type)s 值",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多接受一个值",
    "expected at least one argument": "至少需要一个值",
    "ignored explicit argument %r": "这个选项不带值，却给了 %r",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ambiguous option: %(option)s could match %(matches)s":
        "选项有歧义：%(option)s 可以是 %(matches)s",
    "unexpected option string: %s": "这里不能用选项：%s",
    "can't open '%(filename)s': %(error)s": "无法打开 '%(filename)s'：%(error)s",
}

# ngettext's (singular, plural): Chinese has one form.
ZH_PLURAL = {
    ("expected %s argument", "expected %s arguments"): "需要 %s 个值",
}

_original = {}


def gettext(message):
    if chinese_wanted() and message in ZH:
        return ZH[message]
    return _original["_"](message)


def ngettext(singular, plural, n):
    if chinese_wanted() and (singular, plural) in ZH_PLURAL:
        return ZH_PLURAL[(singular, plural)]
    return _original["ngettext"](singular, plural, n)


def install():
    """Makes argparse look its texts up here (again: a no-op)."""
    if not _original:
        _original["_"], _original["ngettext"] = argparse._, argparse.ngettext
        argparse._, argparse.ngettext = gettext, ngettext
