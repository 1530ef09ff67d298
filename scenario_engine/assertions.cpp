#include "scenario_engine/assertions.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "scenario_engine/json_path.h"
#include "scenario_engine/redaction.h"

namespace pistesim::scenario {

namespace {

constexpr size_t kActualMax = 200;

std::string dump(const Value& v) {
  return v.dump(-1, ' ', false, Value::error_handler_t::replace);
}

// How a value is shown in a result: strings quoted (so that "" and " " are visible), others as
// JSON; cut to about kActualMax bytes.
std::string display(const Value& v) {
  return excerpt(dump(v), kActualMax);
}

// The text a value stands for: a string as is, anything else as its JSON text.
std::string text_of(const Value& v) {
  return v.is_string() ? v.get_ref<const std::string&>() : dump(v);
}

// equals. Two strings compare as text. A string against a number, boolean or null compares as
// text with the other's JSON rendering ("42" equals 42, "true" equals true): headers, stdout and
// captured text are strings while TOML expectations are typed, and an author writing
// `"Retry-After" = 1` or `"$.id" = "42"` means the same thing either way. A string against an
// array or object compares with its compact JSON text. Everything else is typed JSON equality,
// numbers by value (1 equals 1.0).
bool values_equal(const Value& actual, const Value& expected) {
  if (actual.is_string() != expected.is_string()) {
    const Value& str = actual.is_string() ? actual : expected;
    const Value& other = actual.is_string() ? expected : actual;
    return str.get_ref<const std::string&>() == dump(other);
  }
  return actual == expected;
}

std::optional<double> number_of(const Value& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  if (b == std::string::npos) return std::nullopt;
  std::string t = s.substr(b, e - b + 1);
  // strtod would also read "0x1p3", "inf" and "nan": accept decimal numbers only.
  if (t.find_first_not_of("+-0123456789.eE") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

// A regex search that cannot overflow the stack: libstdc++'s default matcher recurses once per
// input character, so a pattern such as "(a|b)*" on a long body would crash the runner. Its
// polynomial (breadth-first) mode does not; patterns with back-references need the default
// mode and only see the first kBackrefInputMax bytes.
constexpr size_t kBackrefInputMax = 4096;

struct CompiledRegex {
  std::regex re;
  bool bounded_input = false;
};

Result<CompiledRegex> compile_regex(const std::string& pattern) {
  try {
#if defined(__GLIBCXX__)
    try {
      return CompiledRegex{
          std::regex(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial), false};
    } catch (const std::regex_error&) {
      // Back-references (or a bad pattern, which the default mode reports below).
    }
#endif
    return CompiledRegex{std::regex(pattern, std::regex::ECMAScript), true};
  } catch (const std::regex_error& e) {
    return Error{std::string("invalid regex /") + pattern + "/: " + e.what()};
  }
}

// `text`, or its first kBackrefInputMax bytes (in `storage`) when the regex needs the
// recursive matcher.
const std::string& regex_input(const CompiledRegex& r, const std::string& text,
                               std::string& storage) {
  if (!r.bounded_input || text.size() <= kBackrefInputMax) return text;
  storage = text.substr(0, kBackrefInputMax);
  return storage;
}

// Whether `r` matches in `input`, or why it could not be run. `input` must outlive `m`'s use.
Result<bool> regex_find(const CompiledRegex& r, const std::string& input, std::smatch& m) {
  try {
    return std::regex_search(input, m, r.re);
  } catch (const std::regex_error& e) {
    return Error{std::string("the regex could not be run on this text: ") + e.what()};
  }
}

Result<bool> regex_found(const CompiledRegex& r, const std::string& text) {
  std::string storage;
  std::smatch m;
  return regex_find(r, regex_input(r, text, storage), m);
}

std::string describe(Matcher::Op op, bool negate, const Value& expected) {
  std::string base;
  switch (op) {
    case Matcher::Op::Equals:
      base = "equals " + display(expected);
      break;
    case Matcher::Op::Contains:
      base = "contains " + display(expected);
      break;
    case Matcher::Op::Matches:
      base = "matches /" + excerpt(text_of(expected), kActualMax) + "/";
      break;
    case Matcher::Op::Exists:
      return expected == Value(false) ? (negate ? "exists" : "does not exist")
                                      : (negate ? "does not exist" : "exists");
    case Matcher::Op::Count:
      base = "count " + (expected.is_object() ? display(expected) : text_of(expected));
      break;
    case Matcher::Op::OneOf:
      base = "one of " + display(expected);
      break;
    case Matcher::Op::Min:
      base = "at least " + text_of(expected);
      break;
    case Matcher::Op::Max:
      base = "at most " + text_of(expected);
      break;
  }
  return negate ? "not " + base : base;
}

// The number of things `actual` holds for `count`: an array's elements (a non-singular
// JSONPath's matches arrive as an array), an object's members; nothing is 0.
std::optional<size_t> count_of(const Value& actual, bool missing) {
  if (missing) return 0;
  if (actual.is_array() || actual.is_object()) return actual.size();
  return std::nullopt;
}

AssertionResult make(const std::string& subject, std::string expectation, std::string actual,
                     bool passed, const SourceLocation& where) {
  AssertionResult r;
  r.subject = subject;
  r.expectation = std::move(expectation);
  r.actual = std::move(actual);
  r.passed = passed;
  r.where = where;
  return r;
}

std::string joined_header(const Headers& headers, const std::string& name, bool* missing) {
  std::string out;
  size_t n = 0;
  for (const auto& h : headers) {
    if (!iequals(h.name, name)) continue;
    if (n++ > 0) out += ", ";
    out += h.value;
  }
  *missing = n == 0;
  return out;
}

// "2s", "500ms", "1m30s", "1h" → milliseconds; nullopt when `text` is not such a duration.
std::optional<double> duration_ms(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start) return std::nullopt;
    double n = std::strtod(text.substr(start, i - start).c_str(), nullptr);
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    if (unit == "ms")
      total += n;
    else if (unit == "s")
      total += n * 1000;
    else if (unit == "m")
      total += n * 60'000;
    else if (unit == "h")
      total += n * 3'600'000;
    else
      return std::nullopt;
  }
  return total;
}

}  // namespace

AssertionResult check_matcher(const Matcher& m, const std::string& subject, const Value& actual,
                              bool actual_missing, const Variables& vars) {
  auto rendered = render_value(m.expected, vars);
  if (!rendered)
    return make(subject, describe(m.op, m.negate, m.expected),
                "cannot render the expectation: " + rendered.error().message, false, m.where);
  const Value& expected = *rendered;
  std::string expectation = describe(m.op, m.negate, expected);
  std::string shown = actual_missing ? "absent" : display(actual);
  bool ok = false;

  switch (m.op) {
    case Matcher::Op::Equals:
      ok = !actual_missing && values_equal(actual, expected);
      break;
    case Matcher::Op::Contains:
      // On an array: element membership; on an object: a member of that name; otherwise a
      // substring of the text.
      if (actual_missing) {
        ok = false;
      } else if (actual.is_array()) {
        for (const auto& element : actual) ok = ok || values_equal(element, expected);
      } else if (actual.is_object()) {
        ok = expected.is_string() && actual.contains(expected.get_ref<const std::string&>());
      } else {
        ok = text_of(actual).find(text_of(expected)) != std::string::npos;
      }
      break;
    case Matcher::Op::Matches: {
      auto re = compile_regex(text_of(expected));
      if (!re) return make(subject, expectation, re.error().message, false, m.where);
      std::string run_error;
      auto found = [&](const Value& v) {
        auto f = regex_found(*re, text_of(v));
        if (!f) run_error = f.error().message;
        return f && *f;
      };
      // On an array: some element matches (and `not_matches`: none does).
      if (!actual_missing) {
        if (actual.is_array()) {
          for (const auto& element : actual) ok = ok || found(element);
        } else {
          ok = found(actual);
        }
      }
      if (!run_error.empty()) return make(subject, expectation, run_error, false, m.where);
      break;
    }
    case Matcher::Op::Exists: {
      if (!expected.is_boolean())
        return make(subject, expectation, "the expectation of exists must be true or false", false,
                    m.where);
      ok = !actual_missing == expected.get<bool>();
      break;
    }
    case Matcher::Op::Count: {
      auto n = count_of(actual, actual_missing);
      if (!n)
        return make(subject, expectation,
                    shown + " (a " + std::string(actual.type_name()) + ", not an array)", false,
                    m.where);
      shown = std::to_string(*n) + (*n == 1 ? " item" : " items");
      if (expected.is_object()) {
        auto lo = expected.contains("min") ? number_of(expected["min"]) : std::optional<double>();
        auto hi = expected.contains("max") ? number_of(expected["max"]) : std::optional<double>();
        if (!lo && !hi)
          return make(subject, expectation, "the count expectation needs a number, min or max",
                      false, m.where);
        ok = (!lo || static_cast<double>(*n) >= *lo) && (!hi || static_cast<double>(*n) <= *hi);
      } else {
        auto want = number_of(expected);
        if (!want)
          return make(subject, expectation, "the count expectation is not a number", false,
                      m.where);
        ok = static_cast<double>(*n) == *want;
      }
      break;
    }
    case Matcher::Op::OneOf: {
      if (actual_missing) break;
      if (expected.is_array()) {
        for (const auto& allowed : expected) ok = ok || values_equal(actual, allowed);
      } else {
        ok = values_equal(actual, expected);
      }
      break;
    }
    case Matcher::Op::Min:
    case Matcher::Op::Max: {
      auto bound = number_of(expected);
      if (!bound)
        return make(subject, expectation, "the bound " + display(expected) + " is not a number",
                    false, m.where);
      if (actual_missing) break;
      auto value = number_of(actual);
      if (!value) return make(subject, expectation, shown + " (not a number)", false, m.where);
      ok = m.op == Matcher::Op::Min ? *value >= *bound : *value <= *bound;
      break;
    }
  }
  return make(subject, expectation, shown, m.negate ? !ok : ok, m.where);
}

std::vector<AssertionResult> check_expectations(const Expectations& expect, const Observation& seen,
                                                const Variables& vars) {
  std::vector<AssertionResult> out;
  const Response* response = seen.response ? &*seen.response : nullptr;
  auto no_response = [&](const std::string& subject, const Matcher& m) {
    out.push_back(
        make(subject, describe(m.op, m.negate, m.expected), "no response", false, m.where));
  };

  if (expect.status) {
    const StatusExpectation& s = *expect.status;
    std::vector<std::string> items;
    for (int code : s.codes) items.push_back(std::to_string(code));
    for (int c : s.classes) items.push_back(std::to_string(c) + "xx");
    std::string expectation;
    if (items.size() == 1)
      expectation = s.codes.size() == 1 ? "equals " + items[0] : items[0];
    else {
      expectation = "in [";
      for (size_t i = 0; i < items.size(); ++i) expectation += (i ? ", " : "") + items[i];
      expectation += "]";
    }
    if (!response) {
      out.push_back(make("status", expectation, "no response", false, s.where));
    } else {
      int st = response->status;
      bool ok = false;
      for (int code : s.codes) ok = ok || st == code;
      for (int c : s.classes) ok = ok || st / 100 == c;
      std::string actual = std::to_string(st);
      std::string_view reason = reason_phrase(st);
      if (!reason.empty()) actual += " " + std::string(reason);
      out.push_back(make("status", expectation, actual, ok, s.where));
    }
  }

  for (const auto& h : expect.headers) {
    std::string subject = "header " + h.name;
    for (const auto& m : h.matchers) {
      if (!response) {
        no_response(subject, m);
        continue;
      }
      bool missing = false;
      std::string value = joined_header(response->headers, h.name, &missing);
      out.push_back(check_matcher(m, subject, Value(value), missing, vars));
    }
  }

  for (const auto& m : expect.body) {
    if (!response)
      no_response("body", m);
    else
      out.push_back(check_matcher(m, "body", Value(response->body), false, vars));
  }

  if (!expect.json.empty()) {
    Value doc;
    std::string not_json;  // why json assertions cannot be checked; empty when they can
    if (response) {
      doc = Value::parse(response->body, nullptr, false);
      if (doc.is_discarded())
        not_json = "body is not JSON: " + excerpt(response->body, 100);
      else if (json_nested_deeper_than(doc, kMaxJsonDepth))
        not_json =
            "body is JSON nested more than " + std::to_string(kMaxJsonDepth) + " levels deep";
    }
    for (const auto& j : expect.json) {
      for (const auto& m : j.matchers) {
        if (!response) {
          no_response(j.path, m);
          continue;
        }
        if (!not_json.empty()) {
          out.push_back(
              make(j.path, describe(m.op, m.negate, m.expected), not_json, false, m.where));
          continue;
        }
        // Paths may name captured values: $[?(@.id == '{{request_id}}')].status
        auto path = render(j.path, vars);
        if (!path) {
          out.push_back(make(j.path, describe(m.op, m.negate, m.expected),
                             "cannot render the path: " + path.error().message, false, m.where));
          continue;
        }
        auto selected = json_path_select(doc, *path);
        if (!selected) {
          out.push_back(make(j.path, describe(m.op, m.negate, m.expected),
                             "invalid JSONPath: " + selected.error().message, false, m.where));
          continue;
        }
        const std::vector<const Value*>& nodes = *selected;
        // A singular path ("$.apis") is judged on its node, and so is a filter or wildcard that
        // selected exactly one (except by count); any other ("$.apis[*].id") on the array of its
        // matches, so that count is the number of matches and contains is membership among them.
        bool judged_on_node =
            json_path_is_singular(*path) || (nodes.size() == 1 && m.op != Matcher::Op::Count);
        if (judged_on_node) {
          bool missing = nodes.empty();
          out.push_back(
              check_matcher(m, j.path, missing ? Value() : *nodes.front(), missing, vars));
        } else {
          Value matches = Value::array();
          for (const Value* n : nodes) matches.push_back(*n);
          out.push_back(check_matcher(m, j.path, matches, nodes.empty(), vars));
        }
      }
    }
  }

  if (expect.duration_ms) {
    Matcher m = *expect.duration_ms;
    if (m.expected.is_string()) {
      if (auto ms = duration_ms(m.expected.get<std::string>())) {
        if (*ms == std::floor(*ms) && std::abs(*ms) < 9e15)
          m.expected = static_cast<int64_t>(*ms);
        else
          m.expected = *ms;
      }
    }
    double ms = static_cast<double>(seen.duration_us) / 1000.0;
    AssertionResult r = check_matcher(m, "duration", Value(ms), false, vars);
    r.actual = display(Value(std::round(ms * 10) / 10)) + " ms";
    if (m.op == Matcher::Op::Min || m.op == Matcher::Op::Max || m.op == Matcher::Op::Equals)
      r.expectation += " ms";
    out.push_back(std::move(r));
  }

  if (expect.exit_code) {
    bool missing = !seen.exit_code.has_value();
    out.push_back(check_matcher(*expect.exit_code, "exit code",
                                missing ? Value() : Value(*seen.exit_code), missing, vars));
  }
  for (const auto& m : expect.stdout_text)
    out.push_back(check_matcher(m, "stdout", Value(seen.stdout_text), false, vars));
  for (const auto& m : expect.stderr_text)
    out.push_back(check_matcher(m, "stderr", Value(seen.stderr_text), false, vars));
  return out;
}

Result<Value> apply_capture(const Capture& capture, const Observation& seen) {
  std::string why;
  std::optional<Value> value;
  const Response* response = seen.response ? &*seen.response : nullptr;
  auto need_response = [&]() {
    if (!response) why = "no response to capture from";
    return response != nullptr;
  };

  switch (capture.source) {
    case Capture::Source::JsonPath: {
      if (!need_response()) break;
      Value doc = Value::parse(response->body, nullptr, false);
      if (doc.is_discarded()) {
        why = "body is not JSON: " + excerpt(response->body, 100);
        break;
      }
      if (json_nested_deeper_than(doc, kMaxJsonDepth)) {
        why = "body is JSON nested more than " + std::to_string(kMaxJsonDepth) + " levels deep";
        break;
      }
      auto selected = json_path_select(doc, capture.expression);
      if (!selected) {
        why = "invalid JSONPath " + capture.expression + ": " + selected.error().message;
        break;
      }
      const std::vector<const Value*>& nodes = *selected;
      if (nodes.empty()) {
        why = capture.expression + " matches nothing in " + excerpt(response->body, 100);
      } else if (nodes.size() == 1) {
        // One match is the value itself, whatever the path's form: a filter that picks one
        // element ("$.apps[?@.name=='demo'].id") captures that id, not a one-element array.
        value = *nodes.front();
      } else {
        value = Value::array();
        for (const Value* n : nodes) value->push_back(*n);
      }
      break;
    }
    case Capture::Source::Header: {
      if (!need_response()) break;
      if (const std::string* h = response->headers.find(capture.expression))
        value = Value(*h);
      else
        why = "no header " + capture.expression + " in the response";
      break;
    }
    case Capture::Source::Regex: {
      std::string input;
      const std::string& from = capture.regex_input;
      if (from == "stdout") {
        input = seen.stdout_text;
      } else if (from == "stderr") {
        input = seen.stderr_text;
      } else if (from == "body") {
        if (!need_response()) break;
        input = response->body;
      } else if (from.rfind("header:", 0) == 0) {
        if (!need_response()) break;
        std::string name = from.substr(7);
        const std::string* h = response->headers.find(name);
        if (!h) {
          why = "no header " + name + " in the response";
          break;
        }
        input = *h;
      } else {
        why = "unknown regex input \"" + from +
              "\"; expected \"body\", \"header:<name>\", \"stdout\" or \"stderr\"";
        break;
      }
      auto re = compile_regex(capture.expression);
      if (!re) {
        why = re.error().message;
        break;
      }
      std::string storage;
      const std::string& searched = regex_input(*re, input, storage);
      std::smatch m;
      auto found = regex_find(*re, searched, m);
      if (!found) {
        why = found.error().message;
      } else if (*found) {
        // Group 1 when the regex has a group (empty if that group did not take part), else the
        // whole match.
        value = Value(re->re.mark_count() >= 1 ? m[1].str() : m[0].str());
      } else {
        why =
            "/" + capture.expression + "/ matches nothing in " + from + ": " + excerpt(input, 100);
      }
      break;
    }
    case Capture::Source::Status:
      if (need_response()) value = Value(response->status);
      break;
    case Capture::Source::Body:
      if (need_response()) value = Value(response->body);
      break;
    case Capture::Source::Stdout:
      value = Value(seen.stdout_text);
      break;
    case Capture::Source::ExitCode:
      if (seen.exit_code)
        value = Value(*seen.exit_code);
      else
        why = "no exit code (the step ran no command)";
      break;
  }

  if (value) return std::move(*value);
  if (capture.fallback) return Value(*capture.fallback);
  return Error{"capture " + capture.variable + ": " + why};
}

}  // namespace pistesim::scenario
