#include "pool/trace_reader.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pool::testing {
namespace {

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  Json Document() {
    Json v = Value();
    Space();
    if (i_ != s_.size()) Fail("text after the value");
    return v;
  }

 private:
  [[noreturn]] void Fail(const std::string& what) {
    throw std::runtime_error("not JSON at offset " + std::to_string(i_) + ": " +
                             what);
  }
  void Space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' ||
                              s_[i_] == '\r' || s_[i_] == '\t')) {
      ++i_;
    }
  }
  bool Eat(char c) {
    Space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void Expect(char c) {
    if (!Eat(c)) Fail(std::string("expected '") + c + "'");
  }
  void Word(const char* w) {
    const std::string word(w);
    if (s_.compare(i_, word.size(), word) != 0) Fail("bad literal");
    i_ += word.size();
  }

  Json Value() {
    Space();
    if (i_ >= s_.size()) Fail("unexpected end");
    Json v;
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      v.kind = Json::kObject;
      if (Eat('}')) return v;
      do {
        Space();
        if (i_ >= s_.size() || s_[i_] != '"') Fail("expected a key");
        std::string key = String();
        Expect(':');
        if (v.object.count(key) != 0) Fail("duplicate key " + key);
        v.object[key] = Value();
      } while (Eat(','));
      Expect('}');
    } else if (c == '[') {
      ++i_;
      v.kind = Json::kArray;
      if (Eat(']')) return v;
      do {
        v.array.push_back(Value());
      } while (Eat(','));
      Expect(']');
    } else if (c == '"') {
      v.kind = Json::kString;
      v.string = String();
    } else if (c == 't') {
      Word("true");
      v.kind = Json::kBool;
      v.boolean = true;
    } else if (c == 'f') {
      Word("false");
      v.kind = Json::kBool;
    } else if (c == 'n') {
      Word("null");
    } else {
      v.kind = Json::kNumber;
      v.number = Number();
    }
    return v;
  }

  double Number() {
    const std::size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    auto digits = [&] {
      const std::size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == d) Fail("expected a digit");
    };
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
    } else {
      digits();
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      digits();
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      digits();
    }
    return std::strtod(s_.substr(start, i_ - start).c_str(), nullptr);
  }

  std::string String() {
    ++i_;  // The opening quote.
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) Fail("unterminated string");
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return out;
      if (c < 0x20) Fail("control character in a string");
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      if (i_ >= s_.size()) Fail("unterminated escape");
      const char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          if (i_ + 4 > s_.size()) Fail("short \\u escape");
          const std::string hex = s_.substr(i_, 4);
          if (hex.find_first_not_of("0123456789abcdefABCDEF") !=
              std::string::npos) {
            Fail("bad \\u escape");
          }
          i_ += 4;
          const long code = std::strtol(hex.c_str(), nullptr, 16);
          if (code < 0x80) {
            out.push_back(static_cast<char>(code));
          } else {
            out.push_back('?');  // Enough for the tests.
          }
          break;
        }
        default:
          Fail("bad escape");
      }
    }
  }

  const std::string& s_;
  std::size_t i_ = 0;
};

}  // namespace

const Json& Json::operator[](const std::string& key) const {
  static const Json kNullValue;
  if (kind != kObject) return kNullValue;
  auto it = object.find(key);
  return it == object.end() ? kNullValue : it->second;
}

Json ParseJson(const std::string& text) { return Parser(text).Document(); }

std::vector<TraceEvent> TraceFile::Phase(const std::string& ph) const {
  std::vector<TraceEvent> out;
  for (const auto& e : events) {
    if (e.ph == ph) out.push_back(e);
  }
  return out;
}

std::vector<TraceEvent> TraceFile::TaskSlices() const {
  std::vector<TraceEvent> out;
  for (const auto& e : events) {
    if (e.ph == "X" && e.cat == "task") out.push_back(e);
  }
  return out;
}

TraceFile ReadTrace(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  const Json doc = ParseJson(text.str());
  if (doc.kind != Json::kObject || doc["traceEvents"].kind != Json::kArray) {
    throw std::runtime_error(path + ": not an object with a traceEvents array");
  }
  TraceFile trace;
  for (const Json& j : doc["traceEvents"].array) {
    TraceEvent e;
    e.ph = j["ph"].string;
    e.name = j["name"].string;
    e.cat = j["cat"].string;
    e.pid = static_cast<pid_t>(j["pid"].number);
    e.tid = static_cast<pid_t>(j["tid"].number);
    e.ts = j["ts"].number;
    e.dur = j["dur"].number;
    e.args = j["args"];
    if (e.ph == "M" && e.name == "process_name") {
      trace.process_names[e.pid] = e.args["name"].string;
    } else if (e.ph == "M" && e.name == "thread_name") {
      trace.thread_names[{e.pid, e.tid}] = e.args["name"].string;
    }
    trace.events.push_back(std::move(e));
  }
  return trace;
}

std::string OverlapOnATrack(const TraceFile& trace) {
  std::map<std::pair<pid_t, pid_t>, std::vector<const TraceEvent*>> tracks;
  for (const auto& e : trace.events) {
    if (e.ph == "X") tracks[{e.pid, e.tid}].push_back(&e);
  }
  for (auto& [track, slices] : tracks) {
    std::sort(slices.begin(), slices.end(), [](auto* a, auto* b) {
      return a->ts != b->ts ? a->ts < b->ts : a->dur > b->dur;
    });
    // The slices open around the current one, innermost last.
    std::vector<const TraceEvent*> open;
    for (const TraceEvent* s : slices) {
      while (!open.empty() && open.back()->ts + open.back()->dur <= s->ts) {
        open.pop_back();
      }
      if (!open.empty() &&
          s->ts + s->dur > open.back()->ts + open.back()->dur) {
        const TraceEvent* o = open.back();
        std::ostringstream why;
        why << "on track pid " << track.first << " tid " << track.second
            << ": \"" << o->name << "\" [" << o->ts << ", " << o->ts + o->dur
            << "] and \"" << s->name << "\" [" << s->ts << ", "
            << s->ts + s->dur << "] overlap";
        return why.str();
      }
      open.push_back(s);
    }
  }
  return "";
}

}  // namespace pool::testing
