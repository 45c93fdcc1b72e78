#!/usr/bin/env python3
"""Keeps the Chinese translation in step with the English (see
CONTRIBUTING.md).

Run with no arguments (as //i18n:sync_test does, in its runfiles, or from the
repository root), it checks every page and message it is given:

- each translation X.zh-CN.md opens with
  <!-- source: X.md blob: <git blob hash of X.md> -->
  and that hash is X.md's current one: an English page changed since its
  translation was last brought up to date fails, naming both files;
- each translated English page links its twin near the top, and the twin
  links back; their code blocks are the same, comments aside;
- each English page is either translated or listed in untranslated.txt, and
  no listed page has a twin; every lesson or exercise page another page
  links to is among the pages checked;
- each exercise's course.toml has a [zh] table whose title, hints and
  causes translate the English `title`, `hints` and [performance.causes]
  as they are now (its `source` is their hash; source_hash()), with a
  title, as many hints and the same benchmarks, or is listed in
  untranslated.txt;
- each Explain("English", "中文") in a test source, and each
  T("English", "中文", ...) in a Python source (the ./course tool's
  messages, coursetool/lang.py), is recorded in messages.lock with the hash
  of its English: an English message changed without its Chinese fails,
  naming the file and the message. A T() message's Chinese takes the same
  str.format fields as its English (English's plural ending {s} aside).

After updating a translation or a message's Chinese, from the repository
root:
  python3 i18n/sync.py --refresh lessons/01_apply/README.zh-CN.md
  python3 i18n/sync.py --refresh-messages exercises/b02_result_pipe/result_pipe_test.cc
  python3 i18n/sync.py --refresh-messages coursetool/screens.py
  python3 i18n/sync.py --refresh-hints exercises/b02_result_pipe/course.toml
"""

import ast
import hashlib
import os
import re
import string
import sys
import tomllib

SUFFIX = ".zh-CN.md"
HEADER = re.compile(r"<!-- source: (\S+) blob: ([0-9a-f]{40}) -->")
UNTRANSLATED = "i18n/untranslated.txt"
LOCK = "i18n/messages.lock"
# Pages another page links to that must be checked: a lesson's or an
# exercise's own README.
EXERCISE_TOML = re.compile(r"^exercises/(\d\d|b\d\d)_[^/]+/course\.toml$")
LINKED_PAGE = re.compile(r"^(lessons|exercises)/(\d\d|b\d\d)_[^/]+/README\.md$")
TOP_LINES = 3  # a twin link must be among the first lines of text
SOURCE_SUFFIXES = (".cc", ".h")
# Python sources whose T(en, zh) messages are checked; their tests call T()
# only to exercise it.
PY_SUFFIX, PY_TEST_SUFFIX = ".py", "_test.py"
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# English's plural ending, a field the Chinese does without.
ENGLISH_ONLY_FIELDS = {"s"}


def blob_hash(path):
    """What `git hash-object path` prints."""
    with open(path, "rb") as f:
        data = f.read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def files(root="."):
    """Every file under root, as a path relative to it, except Bazel's
    output links, git's own directory and npm's packages."""
    found = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs
                            if d not in (".git", "node_modules")
                            and not d.startswith("bazel-"))
        for name in names:
            found.append(os.path.normpath(
                os.path.relpath(os.path.join(directory, name), root)))
    return sorted(found)


def is_page(path):
    return path.endswith(".md") and os.path.basename(path).startswith(
        "README")


def twin_of(english):
    return english[:-len(".md")] + SUFFIX


def top_lines(text):
    """The first lines of text, skipping blank lines and HTML comments."""
    lines = [l for l in text.splitlines()
             if l.strip() and not l.lstrip().startswith("<!--")]
    return "\n".join(lines[:TOP_LINES])


def links(text):
    """The targets of the Markdown links in text, anchors dropped."""
    return [t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", text)]


def code_blocks(text):
    """The fenced code blocks of a page, without their comments (which a
    translation translates) or trailing spaces."""
    found, block = [], None
    for line in text.split("\n"):
        if line.strip().startswith("```"):
            if block is None:
                block = []
            else:
                found.append("\n".join(block))
                block = None
        elif block is not None:
            line = re.sub(r"(^|\s)#\s.*$", "", line)
            block.append(line.rstrip())
    return found


def untranslated_list(present):
    if UNTRANSLATED not in present:
        return [], [f"{UNTRANSLATED} is missing"]
    listed = []
    for line in read(UNTRANSLATED).splitlines():
        line = line.split("#")[0].strip()
        if line:
            listed.append(line)
    return listed, []


def check_pages(present):
    present = set(present)
    errors = []
    pages = [p for p in present if is_page(p)]
    english = [p for p in pages if not p.endswith(SUFFIX)]
    translations = [p for p in pages if p.endswith(SUFFIX)]
    listed, errors_here = untranslated_list(present)
    errors += errors_here

    for zh in translations:
        text = read(zh)
        first = text.splitlines()[0] if text else ""
        match = HEADER.fullmatch(first.strip())
        if match is None:
            errors.append(
                f"{zh}: the first line must be <!-- source: README.md blob: "
                f"<hash> --> naming the English page it translates")
            continue
        source = os.path.normpath(
            os.path.join(os.path.dirname(zh), match.group(1)))
        if source not in present:
            errors.append(f"{zh} translates {source}, which does not exist")
            continue
        now = blob_hash(source)
        if now != match.group(2):
            errors.append(
                f"{zh} is out of date: it translates {source} at blob "
                f"{match.group(2)[:12]}, and {source} is now at blob "
                f"{now[:12]} (git diff {match.group(2)[:12]} "
                f"$(git hash-object -w {source}) shows what changed). "
                f"Update the Chinese, then run "
                f"python3 i18n/sync.py --refresh {zh}")
        else:
            en_blocks, zh_blocks = code_blocks(read(source)), code_blocks(text)
            if len(en_blocks) != len(zh_blocks):
                errors.append(f"{zh} has {len(zh_blocks)} code blocks, "
                              f"{source} has {len(en_blocks)}")
            for n, (a, b) in enumerate(zip(en_blocks, zh_blocks), 1):
                if a != b:
                    errors.append(
                        f"{zh}: code block {n} differs from {source}'s "
                        f"(code, commands and output stay as they are; "
                        f"only comments are translated)")
        if twin_of(source) != zh:
            errors.append(f"{zh} should be named {twin_of(source)}")
        if "(README.md)" not in top_lines(text):
            errors.append(f"{zh} does not link its English page "
                          f"(README.md) at the top")

    for en in english:
        twin = twin_of(en)
        if twin in present:
            if f"({os.path.basename(twin)})" not in top_lines(read(en)):
                errors.append(f"{en} does not link its translation "
                              f"({os.path.basename(twin)}) at the top")
            if en in listed:
                errors.append(f"{en} has a translation ({twin}): remove it "
                              f"from {UNTRANSLATED}")
        elif f"({os.path.basename(twin)})" in read(en):
            errors.append(f"{en} links {os.path.basename(twin)}, which "
                          f"does not exist")
        elif en not in listed:
            errors.append(f"{en} has no translation and is not listed in "
                          f"{UNTRANSLATED}: translate it (README.zh-CN.md "
                          f"beside it) or list it")
        for target in links(read(en)):
            if "://" in target:
                continue
            linked = os.path.normpath(os.path.join(os.path.dirname(en),
                                                   target))
            if LINKED_PAGE.match(linked) and linked not in present:
                errors.append(
                    f"{en} links {linked}, which this test is not given: "
                    f"call i18n_files() in its BUILD and add its "
                    f"package's :i18n to //i18n:BUILD")

    for page in listed:
        if page not in present:
            errors.append(f"{UNTRANSLATED} lists {page}, which this test "
                          f"is not given (removed or renamed?)")
    return errors


def string_literals(text, start):
    """Reads adjacent C++ string literals from text[start:]; returns their
    concatenated value and the index after them, or None."""
    value, i, found = [], start, False
    while True:
        m = re.compile(r'\s*(?://[^\n]*\n\s*)*"((?:[^"\\\n]|\\.)*)"').match(
            text, i)
        if m is None:
            break
        value.append(m.group(1))
        i, found = m.end(), True
    if not found:
        return None
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'"}
    raw = re.sub(r"\\(.)", lambda e: escapes.get(e.group(1), e.group(0)),
                 "".join(value))
    return raw, i


def is_message_source(path):
    if path.endswith(PY_SUFFIX):
        return not path.endswith(PY_TEST_SUFFIX)
    return (path.endswith(SOURCE_SUFFIXES) and
            not os.path.basename(path).startswith("explain."))


def format_fields(text):
    """The names of the str.format fields in text ({n}, {index:.2f})."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as e:
        return None, str(e)
    return {re.split(r"[.\[]", name)[0] for _, name, _, _ in parsed
            if name is not None}, None


def py_messages(path):
    """The (line, English, Chinese) of the T(en, zh, ...) calls in a
    Python source, and what is wrong with any of them."""
    try:
        tree = ast.parse(read(path), filename=path)
    except SyntaxError as e:
        return [], [f"{path}:{e.lineno}: not valid Python: {e.msg}"]
    pairs, errors = [], []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if not ((isinstance(f, ast.Name) and f.id == "T") or
                (isinstance(f, ast.Attribute) and f.attr == "T")):
            continue
        args = node.args
        if (len(args) != 2 or not all(isinstance(a, ast.Constant) and
                                      isinstance(a.value, str)
                                      for a in args)):
            errors.append(f"{path}:{node.lineno}: T() takes two string "
                          f"literals, the English and the Chinese, then "
                          f"the fields by name")
            continue
        en, zh = args[0].value, args[1].value
        if not CHINESE.search(zh):
            errors.append(f"{path}:{node.lineno}: the second argument of "
                          f"T() is not Chinese")
        en_fields, en_bad = format_fields(en)
        zh_fields, zh_bad = format_fields(zh)
        if en_bad or zh_bad:
            errors.append(f"{path}:{node.lineno}: a T() text is not a "
                          f"str.format string ({en_bad or zh_bad})")
        elif not (zh_fields <= en_fields and
                  en_fields - zh_fields <= ENGLISH_ONLY_FIELDS):
            errors.append(f"{path}:{node.lineno}: the English names the "
                          f"fields {sorted(en_fields)}, the Chinese "
                          f"{sorted(zh_fields)}: they must be the same "
                          f"(English's plural ending {{s}} aside)")
        pairs.append((node.lineno, en, zh))
    pairs.sort()
    return pairs, errors


def messages(path):
    """The (English, Chinese) pairs of the Explain() calls in a source, or
    of the T() calls in a Python source."""
    if path.endswith(PY_SUFFIX):
        return py_messages(path)
    text = read(path)
    pairs, errors = [], []
    for m in re.finditer(r"\bExplain\(", text):
        line = text.count("\n", 0, m.start()) + 1
        en = string_literals(text, m.end())
        comma = re.compile(r"\s*,").match(text, en[1]) if en else None
        zh = string_literals(text, comma.end()) if comma else None
        if en is None and re.compile(r"\s*(const|std::)").match(
                text, m.end()):
            continue  # the declaration of Explain itself
        if not zh or not re.compile(r"\s*\)").match(text, zh[1]):
            errors.append(f"{path}:{line}: Explain() takes two string "
                          f"literals, the English and the Chinese")
            continue
        if not re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", zh[0]):
            errors.append(f"{path}:{line}: the second argument of "
                          f"Explain() is not Chinese")
        pairs.append((line, en[0], zh[0]))
    return pairs, errors


def english_hash(en):
    return hashlib.sha1(en.encode("utf-8")).hexdigest()[:16]


def lock_entries(present):
    entries = set()
    if LOCK in present:
        for line in read(LOCK).splitlines():
            if "\t" in line and not line.startswith("#"):
                path, digest = line.split("\t")[:2]
                entries.add((path, digest))
    return entries


def lock_lines(path, pairs):
    return [f"{path}\t{english_hash(en)}\t{' '.join(en.split())[:50]}"
            for _, en, _ in pairs]


def check_messages(present):
    errors = []
    entries = lock_entries(present)
    # explain.h defines Explain() and shows it in comments.
    sources = [p for p in present if is_message_source(p)]
    present = set(present)
    seen = set()
    for path in sources:
        pairs, errors_here = messages(path)
        errors += errors_here
        for line, en, _ in pairs:
            key = (path, english_hash(en))
            seen.add(key)
            if key not in entries:
                errors.append(
                    f"{path}:{line}: the English of this message changed "
                    f"since its Chinese was last checked (or it is new): "
                    f'"{" ".join(en.split())[:60]}". Update the Chinese '
                    f"beside it, then run python3 i18n/sync.py "
                    f"--refresh-messages {path}")
    for path, digest in sorted(entries - seen):
        if path in present:
            errors.append(f"{LOCK}: {path} no longer has the message "
                          f"{digest}: run python3 i18n/sync.py "
                          f"--refresh-messages {path}")
        else:
            errors.append(f"{LOCK} names {path}, which this test is not "
                          f"given")
    return errors


def source_hash(data):
    """The hash a [zh] table's `source` records: of the English it
    translates, the exercise's `title`, its `hints` and its
    [performance.causes], from a course.toml's parsed data. Changing any
    of them changes it."""
    causes = data.get("performance", {}).get("causes", {})
    text = "\0".join([
        str(data.get("title", "")).strip(),
        "\n".join(str(h).strip() for h in data.get("hints", [])),
        "\n".join(f"{name} = {str(causes[name]).strip()}"
                  for name in sorted(causes)),
    ])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def check_zh_table(path, data):
    """What is wrong with one course.toml's [zh] table: a title, a hint
    for each English hint, a cause for each benchmark the English names,
    all translating the English as it is now."""
    errors = []
    zh = data["zh"]
    if not isinstance(zh, dict):
        return [f"{path}: [zh] must be a table"]
    title = zh.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(f"{path}: [zh] has no `title` (the exercise's "
                      f"title in Chinese)")
    english = data.get("hints", [])
    hints = zh.get("hints", [])
    if not isinstance(hints, list) or len(hints) != len(english):
        errors.append(f"{path}: [zh] has {len(hints)} hints, the "
                      f"English {len(english)}")
    en_causes = data.get("performance", {}).get("causes", {})
    causes = zh.get("causes", {})
    if not isinstance(causes, dict):
        errors.append(f"{path}: [zh.causes] must be a table")
    elif set(causes) != set(en_causes):
        errors.append(f"{path}: [zh.causes] names "
                      f"{', '.join(sorted(causes)) or 'no benchmark'}, "
                      f"[performance.causes] "
                      f"{', '.join(sorted(en_causes)) or 'none'}: they "
                      f"must name the same benchmarks")
    if zh.get("source") != source_hash(data):
        errors.append(
            f"{path}: the English title, hints or [performance.causes] "
            f"changed since [zh] was last brought up to date. Update the "
            f"Chinese, then run python3 i18n/sync.py --refresh-hints {path}")
    return errors


def check_hints(present):
    errors = []
    listed, _ = untranslated_list(present)
    for path in present:
        if not EXERCISE_TOML.match(path):
            continue
        try:
            data = tomllib.loads(read(path))
        except tomllib.TOMLDecodeError as e:
            errors.append(f"{path}: not valid TOML: {e}")
            continue
        if data.get("zh") is None:
            if path not in listed:
                errors.append(f"{path} has no [zh] table and is not listed "
                              f"in {UNTRANSLATED}: translate its title, "
                              f"hints and causes (a [zh] table) or list it")
            continue
        if path in listed:
            errors.append(f"{path} has a [zh] table: remove it from "
                          f"{UNTRANSLATED}")
        errors += check_zh_table(path, data)
    return errors


def refresh_hints(path):
    text = read(path)
    now = source_hash(tomllib.loads(text))
    head, zh_table, tail = text.partition("\n[zh]\n")
    if not zh_table:
        sys.exit(f"{path} has no [zh] table")
    tail, n = re.subn(r'^source = "[^"]*"', f'source = "{now}"', tail,
                      count=1, flags=re.M)
    if n == 0:
        tail = f'source = "{now}"\n' + tail
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + zh_table + tail)
    print(f"{path}: [zh] now translates the title, hints and causes at "
          f"{now}")


def refresh(zh):
    text = read(zh)
    lines = text.split("\n")
    match = HEADER.fullmatch(lines[0].strip())
    source = match.group(1) if match else "README.md"
    now = blob_hash(os.path.join(os.path.dirname(zh), source))
    header = f"<!-- source: {source} blob: {now} -->"
    if match:
        lines[0] = header
    else:
        lines.insert(0, header)
    with open(zh, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(f"{zh}: now records {source} at blob {now[:12]}")


def refresh_messages(paths):
    kept = [l for l in read(LOCK).splitlines()
            if l.split("\t")[0] not in paths] if os.path.exists(LOCK) else []
    header = [l for l in kept if l.startswith("#")] or [
        "# The English of every Explain(en, zh) and T(en, zh) message whose "
        "Chinese is up to date:",
        "# source file, sha1 of the English (16 hex digits), its start. "
        "Written by",
        "# python3 i18n/sync.py --refresh-messages FILE; see "
        "CONTRIBUTING.md."]
    body = [l for l in kept if not l.startswith("#")]
    for path in paths:
        pairs, errors = messages(path)
        if errors:
            sys.exit("\n".join(errors))
        body += lock_lines(path, pairs)
        print(f"{path}: {len(pairs)} messages recorded")
    with open(LOCK, "w", encoding="utf-8") as f:
        f.write("\n".join(header + sorted(body)) + "\n")


def main(argv):
    if len(argv) > 2 and argv[1] == "--refresh":
        for zh in argv[2:]:
            refresh(zh)
        return 0
    if len(argv) > 2 and argv[1] == "--refresh-messages":
        refresh_messages(argv[2:])
        return 0
    if len(argv) > 2 and argv[1] == "--refresh-hints":
        for path in argv[2:]:
            refresh_hints(path)
        return 0
    if len(argv) > 1:
        sys.exit(__doc__)
    present = files()
    errors = (check_pages(present) + check_hints(present) +
              check_messages(present))
    for e in errors:
        print("FAIL: " + e)
    pages = [p for p in present if is_page(p) and not p.endswith(SUFFIX)]
    done = [p for p in pages if twin_of(p) in present]
    tomls = [p for p in present if EXERCISE_TOML.match(p)]
    hinted = [p for p in tomls if "\n[zh]\n" in read(p)]
    print(f"{len(done)} of {len(pages)} English pages translated; "
          f"title, hints and causes in Chinese for {len(hinted)} of "
          f"{len(tomls)} exercises; "
          f"{len(lock_entries(present))} messages in both languages")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
