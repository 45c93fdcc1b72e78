"""What //i18n:sync_test reads from a package, declared in one call."""

def i18n_files(extra = []):
    """Defines :i18n, the package's README pages (English and Chinese) and
    the extra sources whose Explain() messages the sync test checks."""
    native.filegroup(
        name = "i18n",
        srcs = native.glob(["README*.md"] + extra),
        visibility = ["//i18n:__pkg__"],
    )
