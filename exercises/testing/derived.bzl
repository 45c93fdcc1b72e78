"""A file kept as the reference solution plus a patch, and its check."""

load("@rules_shell//shell:sh_test.bzl", "sh_test")

def derived_file_test(name, reference, derived, patch):
    """Checks that `derived` is exactly `reference` with `patch` applied.

    On failure the test prints the command that derives the file again, or
    rewrites the patch (exercises/testing/derived_test.sh).

    Args:
      name: the test's name.
      reference: the reference solution's file (a label).
      derived: the file kept in this package, derived from it.
      patch: the patch (`diff -u reference derived`).
    """
    sh_test(
        name = name,
        size = "small",
        srcs = ["//exercises/testing:derived_test.sh"],
        args = [
            "$(rootpath %s)" % reference,
            "$(rootpath %s)" % derived,
            "$(rootpath %s)" % patch,
        ],
        data = [reference, derived, patch],
    )
