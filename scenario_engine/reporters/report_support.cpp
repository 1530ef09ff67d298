#include "scenario_engine/reporters/report_support.h"

#include <cstdio>

#include "wire/markup.h"

namespace pistesim::scenario::report {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Decodes one code point at `i` (advancing it); malformed, overlong and surrogate sequences
// decode as U+FFFD consuming one byte, so the text after them survives.
char32_t next_code_point(std::string_view in, size_t& i) {
  auto b = static_cast<unsigned char>(in[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  size_t len = 0;
  char32_t c = 0;
  char32_t min = 0;
  if ((b & 0xE0) == 0xC0) {
    len = 2, c = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    len = 3, c = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    len = 4, c = b & 0x07, min = 0x10000;
  } else {
    ++i;
    return kReplacement;
  }
  if (i + len > in.size()) {
    ++i;
    return kReplacement;
  }
  for (size_t k = 1; k < len; ++k) {
    auto cont = static_cast<unsigned char>(in[i + k]);
    if ((cont & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    c = (c << 6) | (cont & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    ++i;
    return kReplacement;
  }
  i += len;
  return c;
}

std::string hex_escape(const char* format, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

}  // namespace

std::string clean_text(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    char32_t c = next_code_point(in, i);
    if (c == '\r' && i < in.size() && in[i] == '\n') continue;  // CRLF: keep the LF
    if (c == '\n' || c == '\t') {
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      out += hex_escape("\\x%02x", static_cast<unsigned>(c));
    } else if (c >= 0x80 && c <= 0x9F) {
      out += hex_escape("\\u%04x", static_cast<unsigned>(c));
    } else if (c == 0xFFFE || c == 0xFFFF) {
      append_utf8(out, kReplacement);
    } else {
      append_utf8(out, c);
    }
  }
  return out;
}

std::string one_line(std::string_view in) {
  std::string out;
  for (char c : clean_text(in)) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string xml_escape(std::string_view in, bool attribute) {
  std::string escaped = html_escape(clean_text(in));
  if (!attribute) return escaped;
  // In an attribute value a raw newline or tab would be normalised to a space by the parser.
  std::string out;
  for (char c : escaped) {
    if (c == '\n')
      out += "&#10;";
    else if (c == '\t')
      out += "&#9;";
    else
      out += c;
  }
  return out;
}

std::string yaml_quote(std::string_view in) {
  std::string out = "\"";
  for (char c : clean_text(in)) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string format_duration(int64_t us) {
  if (us < 0) us = 0;
  char buf[48];
  if (us < 1000) {
    std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(us) / 1000.0);
  } else if (us < 1'000'000) {
    std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(us / 1000));
  } else if (us < 60'000'000) {
    std::snprintf(buf, sizeof buf, "%.2f s", static_cast<double>(us) / 1e6);
  } else {
    long long total_s = us / 1'000'000;
    std::snprintf(buf, sizeof buf, "%lld min %02lld s", total_s / 60, total_s % 60);
  }
  return buf;
}

std::string seconds(int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(us < 0 ? 0 : us) / 1e6);
  return buf;
}

std::string summary_line(const RunSummary& run) {
  size_t total = run.scenarios.size();
  size_t errors = run.count(Outcome::Error);
  return std::to_string(total) + (total == 1 ? " scenario: " : " scenarios: ") +
         std::to_string(run.count(Outcome::Passed)) + " passed, " +
         std::to_string(run.count(Outcome::Failed)) + " failed, " + std::to_string(errors) +
         (errors == 1 ? " error, " : " errors, ") + std::to_string(run.count(Outcome::Skipped)) +
         " skipped (" + format_duration(run.duration_us) + ") on " + one_line(run.target);
}

std::string status_text(int status) {
  std::string out = std::to_string(status);
  std::string_view reason = reason_phrase(status);
  if (!reason.empty()) out += " " + std::string(reason);
  return out;
}

std::string_view outcome_symbol(Outcome o) {
  switch (o) {
    case Outcome::Passed:
      return "✓";
    case Outcome::Failed:
      return "✗";
    case Outcome::Skipped:
      return "–";
    case Outcome::Error:
      return "!";
  }
  return "!";
}

}  // namespace pistesim::scenario::report
