// Explain(en, zh): a test's explanation in the learner's language.
//
// A failing check tells the learner what went wrong; with COURSE_LANG=zh
// (or LC_ALL, LC_MESSAGES or LANG starting with "zh", the first of them
// that is set) it says so in Chinese. COURSE_LANG=en forces English. Bazel
// passes none of these to a test unless asked:
//   ./bazelw test --test_env=COURSE_LANG=zh //exercises/b02_result_pipe:test
//
// Both texts are string literals at the call, the English first:
//   EXPECT_TRUE(ok) << Explain("the pipe's write end is still open",
//                              "管道的写端还开着");
// //i18n:sync_test records each English text (i18n/messages.lock) and fails
// when one changes without its Chinese; see CONTRIBUTING.md.
#ifndef EXERCISES_TESTING_EXPLAIN_H_
#define EXERCISES_TESTING_EXPLAIN_H_

namespace testing_i18n {

// True when the learner reads Chinese (see above). Read once.
bool ChineseWanted();

}  // namespace testing_i18n

// The explanation in the learner's language.
inline const char* Explain(const char* en, const char* zh) {
  return testing_i18n::ChineseWanted() ? zh : en;
}

#endif  // EXERCISES_TESTING_EXPLAIN_H_
