// lessons/common/print.h: printing whole lines from several processes.
//
// In the lessons, the parent and every worker write to the same stdout (a
// forked worker inherits the parent's fd 1). Two processes that print with
// std::cout or printf can tear each other's lines apart, and stdio's buffer
// may hold a line back until exit, so the output order lies. PrintLine()
// avoids both: it formats the whole line, newline included, into one string
// and hands it to the kernel with a single write(2). A write of up to
// PIPE_BUF (4096) bytes to a pipe is atomic, so lines never tear.
//
// Use it for every line a lesson prints, in the parent and in the tasks,
// so that the order you see is the order in which the lines were written.

#ifndef LESSONS_COMMON_PRINT_H_
#define LESSONS_COMMON_PRINT_H_

#include <sstream>
#include <string>
#include <string_view>

namespace lessons {

// Writes `line` and a newline to stdout in one write(2).
void WriteLine(std::string_view line);

// Streams every part into one line and writes it:
//   PrintLine("(", getpid(), ")进程正在执行: ", i);
template <class... Parts>
void PrintLine(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  WriteLine(out.str());
}

// The value of a `--name=N` command-line flag, or `fallback` when absent.
// Exits with a message if the value is not an integer.
long IntFlag(int argc, char** argv, std::string_view name, long fallback);

}  // namespace lessons

#endif  // LESSONS_COMMON_PRINT_H_
