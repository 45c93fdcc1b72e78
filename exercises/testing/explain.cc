#include "exercises/testing/explain.h"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace testing_i18n {
namespace {

bool StartsWithZh(const char* value) {
  return std::strncmp(value, "zh", 2) == 0;
}

bool FromEnvironment() {
  if (const char* lang = std::getenv("COURSE_LANG"); lang && *lang) {
    return StartsWithZh(lang);
  }
  // POSIX precedence: LC_ALL overrides LC_MESSAGES, which overrides LANG.
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    if (const char* value = std::getenv(name); value && *value) {
      return StartsWithZh(value);
    }
  }
  return false;
}

}  // namespace

bool ChineseWanted() {
  static const bool wanted = FromEnvironment();
  return wanted;
}

}  // namespace testing_i18n
