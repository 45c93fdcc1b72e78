"""Repository rules that expose system-installed (Debian) packages to Bazel."""

def _patched_rules_cc_impl(ctx):
    # Debian ships rules_cc 0.0.4, written for Bazel 6, while bazel-bootstrap
    # is Bazel 4.2.3. Two of its files load `use_cpp_toolchain` from
    # @bazel_tools, which Bazel 4.2.3 does not have yet, and because
    # @bazel_tools//tools/cpp itself loads @rules_cc, every C++ build fails.
    # We copy the tree and replace that one call by the value it returns,
    # the C++ toolchain type. Nothing else changes.
    src = ctx.path(ctx.attr.path)
    if not src.exists:
        fail("%s is missing: run ./bazelw, which installs bazel-rules-cc" % src)
    result = ctx.execute(["cp", "-R", "%s/." % src, "."])
    if result.return_code != 0:
        fail("copying %s failed: %s" % (src, result.stderr))
    for name in ["cc_flags_supplier.bzl", "compiler_flag.bzl"]:
        path = "cc/private/rules_impl/" + name
        text = ctx.read(path)
        text = text.replace(', "use_cpp_toolchain")', ")")
        text = text.replace("use_cpp_toolchain()", '["@bazel_tools//tools/cpp:toolchain_type"]')
        ctx.file(path, text, legacy_utf8 = False)

patched_rules_cc = repository_rule(
    implementation = _patched_rules_cc_impl,
    attrs = {"path": attr.string(mandatory = True)},
    local = True,
)

def _system_cc_library_impl(ctx):
    # Headers come from /usr/include/<dir>; each library file is found where
    # the system compiler finds it, so the multiarch directory
    # (x86_64-linux-gnu, aarch64-linux-gnu, ...) need not be spelled out.
    for inc in ctx.attr.includes:
        path = ctx.path("/usr/include/" + inc)
        if not path.exists:
            fail("%s is missing: run ./bazelw, which installs it" % path)
        ctx.symlink(path, "include/" + inc)
    for lib in ctx.attr.libs:
        result = ctx.execute(["cc", "-print-file-name=" + lib])
        found = result.stdout.strip()
        if result.return_code != 0 or not found.startswith("/"):
            fail("%s not found: run ./bazelw, which installs it" % lib)
        ctx.symlink(found, "lib/" + lib)
    ctx.symlink(ctx.attr.build_file, "BUILD.bazel")

system_cc_library = repository_rule(
    implementation = _system_cc_library_impl,
    attrs = {
        "build_file": attr.label(mandatory = True),
        "includes": attr.string_list(),
        "libs": attr.string_list(),
    },
    local = True,
)
