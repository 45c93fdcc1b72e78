// pool/trace_reader.h: reads a trace file (Options::trace) back, for tests.
//
// A strict JSON parser (RFC 8259: anything else is an error naming the
// offset) and the checks every traced test makes: the file is one object
// with "traceEvents", and no two complete events ("ph": "X") on one track
// overlap without one containing the other (Perfetto's rule for JSON
// traces).

#ifndef POOL_TRACE_READER_H_
#define POOL_TRACE_READER_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pool::testing {

// A JSON value.
struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;

  // The member `key` of an object, or a null value.
  const Json& operator[](const std::string& key) const;
  bool has(const std::string& key) const {
    return kind == kObject && object.count(key) != 0;
  }
};

// Parses `text`; throws std::runtime_error saying where it is not JSON.
Json ParseJson(const std::string& text);

// One event of a trace, with the fields the tests look at.
struct TraceEvent {
  std::string ph, name, cat;
  pid_t pid = 0, tid = 0;
  double ts = 0, dur = 0;  // Microseconds.
  Json args;
};

// A trace file read back: its events, and the track names from its
// metadata events.
struct TraceFile {
  std::vector<TraceEvent> events;
  std::map<pid_t, std::string> process_names;
  std::map<std::pair<pid_t, pid_t>, std::string> thread_names;

  // The events with this phase ("X", "i", ...).
  std::vector<TraceEvent> Phase(const std::string& ph) const;
  // The complete events of category "task" (a task's run on its worker).
  std::vector<TraceEvent> TaskSlices() const;
};

// Reads and parses `path`; throws std::runtime_error with the reason.
TraceFile ReadTrace(const std::string& path);

// "" if no two complete events of one track (pid, tid) overlap without
// nesting; otherwise a description of the first pair that does.
std::string OverlapOnATrack(const TraceFile& trace);

}  // namespace pool::testing

#endif  // POOL_TRACE_READER_H_
