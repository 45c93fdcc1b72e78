"""Which exercises an instructor assigned: `./course grade --exercise` and
`--assignment FILE`.

An assignment names exercises by id ("03", "b01") or directory
("03_map"), separated by commas, spaces or new lines; "03-05" is every
exercise from 03 to 05 in the course's order; "#" starts a comment. The
file form of an assignment:

    # week 1
    01-03
    b01, b02
"""

import re

from . import catalog
from .lang import T



class AssignmentError(ValueError):
    pass


def parse(text, exercises, where="the assignment"):
    """The exercises `text` names, in the course's order, each once.
    Raises AssignmentError naming the first word that is not an exercise
    or a range."""
    order = {ex.dir: i for i, ex in enumerate(exercises)}
    chosen = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        for word in re.split(r"[\s,]+", line.strip()):
            if not word:
                continue
            first, dash, last = word.partition("-")
            if dash and first and last:
                a, b = _find(exercises, first, where), _find(
                    exercises, last, where)
                if order[a.dir] > order[b.dir]:
                    raise AssignmentError(T(
                        "{where}: the range {word!r} runs backwards ({a} "
                        "comes after {b})",
                        "{where}：范围 {word!r} 是倒着的（{a} 在 {b} 之后）",
                        where=where, word=word, a=a.id, b=b.id))
                chosen.update(ex.dir for ex in exercises[
                    order[a.dir]:order[b.dir] + 1])
            else:
                chosen.add(_find(exercises, word, where).dir)
    if not chosen:
        raise AssignmentError(T("{where} names no exercise",
                                "{where} 没有指定任何练习", where=where))
    return [ex for ex in exercises if ex.dir in chosen]


def _find(exercises, word, where):
    ex = catalog.find(exercises, word)
    if ex is None:
        raise AssignmentError(T("{where}: no exercise {word!r} (ids: "
                                "{ids})", "{where}：没有练习 {word!r}（编号："
                                "{ids}）", where=where, word=word,
                                ids=", ".join(e.id for e in exercises)))
    return ex
