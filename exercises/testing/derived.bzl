"""Files that are the reference solution plus a patch."""

load("@rules_shell//shell:sh_test.bzl", "sh_test")

def derived_file(name, reference, patch, out):
    """Writes `out`: the file `reference` with `patch` applied, at build time.

    A wrong solution is kept as its patch alone (the planted mistake and
    its comment, nothing else), so a fix to the reference reaches it and
    the two cannot drift apart. The build fails if the patch no longer
    applies; rewrite it from the workspace root with
    `diff -u REFERENCE WRONG > PATCH`.

    Args:
      name: the rule's name.
      reference: the reference solution's file (a label).
      patch: the patch (`diff -u reference wrong`).
      out: the file written, named as the learner's file is.
    """
    native.genrule(
        name = name,
        srcs = [reference, patch],
        outs = [out],
        # A copy first: the inputs are symlinks, which patch refuses.
        cmd = ("cp -L $(location %s) $@ && chmod u+w $@ && " +
               "patch --quiet --force --no-backup-if-mismatch $@ " +
               "$(location %s)") % (reference, patch),
        testonly = True,
    )

def derived_file_test(name, reference, derived, patch):
    """Checks that `derived` is exactly `reference` with `patch` applied.

    For a derived file that is kept in the repository because tools read
    it as a file (the naive b05, which the course's end-to-end check grades
    as a submission). On failure the test prints the command that derives
    the file again, or rewrites the patch (exercises/testing/derived_test.sh).

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
