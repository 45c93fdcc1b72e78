// ThreadSanitizer suppressions, compiled in so that every test under
// --config=tsan gets them without a file to find.
//
// std::exception_ptr counts its references inside libstdc++.so, which is
// not built with ThreadSanitizer, so TSan cannot see that the count orders
// the last use of an exception object before its deletion. A pool shares
// one exception object between the thread that resolves a result and the
// threads that call get() on it, and TSan reports the (correctly ordered)
// deletion as a race. Only that deletion path is suppressed: the
// destructor reached from _M_release, and the free() libstdc++ itself
// makes there.

#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_suppressions() {
  return "race:std::__exception_ptr::exception_ptr::_M_release\n"
         "race:__cxa_free_exception\n"
         "called_from_lib:libstdc++.so\n";
}
#endif
