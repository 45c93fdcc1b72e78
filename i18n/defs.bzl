"""What //i18n:sync_test reads from a package, declared in one call."""

def i18n_files(name = "i18n", extra = [], exclude = []):
    """Defines :i18n, the files of a package that //i18n:sync_test checks.

    Args:
      name: the filegroup's name; //i18n:BUILD lists it as :i18n.
      extra: globs of sources whose Explain() or T() messages the test
        checks, beside the package's README pages (English and Chinese).
      exclude: globs left out of extra.
    """
    native.filegroup(
        name = name,
        srcs = native.glob(["README*.md"] + extra, exclude = exclude),
        visibility = ["//i18n:__pkg__"],
    )
