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

_SH_RULE = """\
# {rule}, loaded as from @rules_shell//shell:{rule}.bzl: Bazel 4's native rule.
def {rule}(**kwargs):
    native.{rule}(**kwargs)
"""

def _native_rules_shell_impl(ctx):
    # Debian packages no rules_shell, and Bazel 4.2.3's sh_* rules are native.
    # This repository gives them rules_shell's load paths, so that BUILD files
    # load sh_binary, sh_library and sh_test explicitly on both build paths
    # (Bazel 9 has no native sh_* rules; MODULE.bazel brings the real
    # rules_shell from the registry).
    ctx.file("BUILD.bazel", "")
    ctx.file("shell/BUILD.bazel", "")
    for rule in ["sh_binary", "sh_library", "sh_test"]:
        ctx.file("shell/%s.bzl" % rule, _SH_RULE.format(rule = rule))

native_rules_shell = repository_rule(
    implementation = _native_rules_shell_impl,
)

def _first_on_path(ctx, names):
    for name in names:
        found = ctx.which(name)
        if found != None:
            return found
    return None

def _showme(ctx, wrapper, what):
    result = ctx.execute([wrapper, "--showme:" + what])
    if result.return_code != 0:
        fail("`%s --showme:%s` failed: %s" % (wrapper, what, result.stderr))
    words = result.stdout.replace("\t", " ").replace("\n", " ").split(" ")
    return [w for w in words if w]

def _system_mpi_library_impl(ctx):
    # Open MPI's compiler wrapper (mpicc) knows where this system keeps the
    # headers and libraries; `--showme:incdirs/libdirs/libs/link` print them
    # without compiling anything. Asking it, instead of spelling out
    # /usr/lib/x86_64-linux-gnu/openmpi, keeps the rule right on every
    # architecture and for an Open MPI installed elsewhere. The .openmpi
    # names come first: on Debian, plain `mpicc` and `mpirun` are
    # alternatives that may point at MPICH, and the launcher must match the
    # library.
    wrapper = _first_on_path(ctx, ctx.attr.wrappers)
    mpirun = _first_on_path(ctx, ctx.attr.launchers)
    if wrapper == None or mpirun == None:
        fail("Open MPI is missing (no %s on PATH): run ./bazelw, which " %
             " or ".join(ctx.attr.wrappers + ctx.attr.launchers) +
             "installs libopenmpi-dev and openmpi-bin")

    includes = []
    for i, incdir in enumerate(_showme(ctx, wrapper, "incdirs")):
        ctx.symlink(incdir, "include/%d" % i)
        includes.append("include/%d" % i)

    libdirs = _showme(ctx, wrapper, "libdirs")
    srcs = []
    for name in _showme(ctx, wrapper, "libs"):
        file = "lib%s.so" % name
        found = [d for d in libdirs if ctx.path(d + "/" + file).exists]
        if not found:
            fail("%s not found in %s (from `%s --showme:libdirs`)" %
                 (file, libdirs, wrapper))
        ctx.symlink(found[0] + "/" + file, "lib/" + file)
        srcs.append("lib/" + file)

    # Whatever else the wrapper links with (-pthread, -Wl,... on some
    # builds); the -L and -l flags are covered by the libraries above.
    linkopts = [
        flag
        for flag in _showme(ctx, wrapper, "link")
        if not flag.startswith("-L") and not flag.startswith("-l")
    ]

    ctx.file("mpirun_path.h", "\n".join([
        "// Generated by system_mpi_library (third_party/system_repos.bzl).",
        "#ifndef OPENMPI_MPIRUN_PATH_H_",
        "#define OPENMPI_MPIRUN_PATH_H_",
        "// The mpirun that matches the MPI library linked by @%s//:mpi." % ctx.name,
        "inline constexpr char kMpirunPath[] = \"%s\";" % mpirun,
        "#endif  // OPENMPI_MPIRUN_PATH_H_",
        "",
    ]))
    ctx.file("found.bzl", "\n".join([
        "# Generated by system_mpi_library from `%s --showme`." % wrapper,
        "MPI_SRCS = %s" % repr(srcs),
        "MPI_INCLUDES = %s" % repr(includes),
        "MPI_LINKOPTS = %s" % repr(linkopts),
        "",
    ]))
    ctx.symlink(ctx.attr.build_file, "BUILD.bazel")

system_mpi_library = repository_rule(
    implementation = _system_mpi_library_impl,
    attrs = {
        "build_file": attr.label(mandatory = True),
        "launchers": attr.string_list(default = ["mpirun.openmpi", "mpirun"]),
        "wrappers": attr.string_list(default = ["mpicc.openmpi", "mpicc"]),
    },
    environ = ["PATH"],
    local = True,
)
