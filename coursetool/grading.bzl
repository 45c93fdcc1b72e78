"""The rules the grader's generated package (course_grading/) uses.

./course grade writes a BUILD file into its own workspace that loads its
test rules from here, so that a change of where Bazel's rules come from is
made in this one file.
"""

load("@rules_cc//cc:defs.bzl", _cc_test = "cc_test")
load("@rules_shell//shell:sh_test.bzl", _sh_test = "sh_test")

cc_test = _cc_test
sh_test = _sh_test
