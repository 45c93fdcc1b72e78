// Sanitizer settings for every MPI program of this repository (the lesson's
// ranks, the exercise's ranks, the benchmark's ranks). Linked in with
// alwayslink; compiled to nothing without AddressSanitizer.
//
// Open MPI allocates memory in MPI_Init that it never frees (its component
// registry, hwloc's topology, strings of its run-time environment), so under
// --config=asan LeakSanitizer would fail every rank at exit. The leaks are
// suppressed only where an Open MPI library is on the allocating stack. That
// needs whole stacks: Debian builds Open MPI without frame pointers, and the
// fast unwinder stops at its first frame (and at components that Open MPI
// has already dlclose'd), so malloc stacks are taken with the slow, DWARF
// based unwinder. A leak in the program's own code still fails the run.

#if defined(__SANITIZE_ADDRESS__)

extern "C" const char* __asan_default_options() {
  return "fast_unwind_on_malloc=0";
}

extern "C" const char* __lsan_default_suppressions() {
  return "leak:libmpi.so\n"
         "leak:libopen-pal.so\n"
         "leak:libopen-rte.so\n"
         // Open MPI's progress threads run its callbacks from libevent's loop.
         "leak:libevent_core\n";
}

#endif  // __SANITIZE_ADDRESS__
