#include "scenario_engine/template.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <vector>

#include "wire/encoding.h"

namespace pistesim::scenario {

namespace {

// One {{…}} once parsed: a variable path or a string literal, then filters.
struct Expression {
  bool literal = false;
  std::string text;  // the dotted name, or the literal's contents
  std::vector<std::string> filters;
};

constexpr std::string_view kFilters[] = {"urlencode", "base64", "json", "lower", "upper"};

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

void skip_spaces(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

// Parses the expression that starts right after "{{" at `i`; leaves `i` after the closing
// "}}". Empty string on success, else what is wrong.
std::string parse_expression(std::string_view s, size_t& i, Expression& out) {
  skip_spaces(s, i);
  if (i >= s.size()) return "unterminated « {{ »: expected « }} »";
  if (s[i] == '"' || s[i] == '\'') {
    char quote = s[i++];
    size_t end = s.find(quote, i);
    if (end == std::string_view::npos)
      return std::string("unterminated string literal in « {{ »: expected a closing ") + quote;
    out.literal = true;
    out.text = std::string(s.substr(i, end - i));
    i = end + 1;
  } else {
    size_t start = i;
    while (i < s.size() && (is_name_char(s[i]) || s[i] == '.')) ++i;
    out.text = std::string(s.substr(start, i - start));
    if (out.text.empty()) {
      if (i + 1 < s.size() && s[i] == '}' && s[i + 1] == '}')
        return "empty « {{ }} »: expected a variable name, e.g. {{token}}";
      return "unexpected « " + std::string(1, s[i]) +
             " » in « {{ »: expected a variable name such as {{token}} or {{app.client_id}}";
    }
    if (out.text.front() == '.' || out.text.back() == '.' ||
        out.text.find("..") != std::string::npos)
      return "malformed name « " + out.text + " »: expected names separated by single dots";
    if (out.text == "env") return "« env » needs a variable name: expected {{env.NAME}}";
    if (out.text.starts_with("env.")) {
      std::string_view var = std::string_view(out.text).substr(4);
      if (var.find('.') != std::string_view::npos ||
          !std::all_of(var.begin(), var.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
          }))
        return "malformed environment variable « " + std::string(var) +
               " »: expected {{env.NAME}} with letters, digits and _";
    }
  }
  for (;;) {
    skip_spaces(s, i);
    if (i + 1 < s.size() && s[i] == '}' && s[i + 1] == '}') {
      i += 2;
      return "";
    }
    if (i >= s.size()) return "unterminated « {{ »: expected « }} »";
    if (s[i] != '|')
      return "unexpected « " + std::string(1, s[i]) + " » in « {{ " + out.text +
             " »: expected « | filter » or « }} »";
    ++i;
    skip_spaces(s, i);
    size_t start = i;
    while (i < s.size() && is_name_char(s[i])) ++i;
    std::string filter(s.substr(start, i - start));
    if (std::find(std::begin(kFilters), std::end(kFilters), filter) == std::end(kFilters))
      return "unknown filter « " + filter +
             " »: expected one of urlencode, base64, json, lower, upper";
    out.filters.push_back(std::move(filter));
  }
}

// The template split into literal text and expressions.
struct Piece {
  bool is_expression = false;
  std::string text;
  Expression expression;
};

std::string parse_template(std::string_view s, std::vector<Piece>* pieces) {
  std::string literal;
  size_t i = 0;
  while (i < s.size()) {
    size_t open = s.find("{{", i);
    if (open == std::string_view::npos) {
      literal.append(s.substr(i));
      break;
    }
    literal.append(s.substr(i, open - i));
    size_t at = open + 2;
    Expression e;
    std::string err = parse_expression(s, at, e);
    if (!err.empty()) return err + " (at offset " + std::to_string(open) + ")";
    if (pieces) {
      if (!literal.empty()) pieces->push_back(Piece{false, std::move(literal), {}});
      literal.clear();
      pieces->push_back(Piece{true, {}, std::move(e)});
    }
    i = at;
  }
  if (pieces && !literal.empty()) pieces->push_back(Piece{false, std::move(literal), {}});
  return "";
}

std::vector<unsigned char> random_bytes(size_t n) {
  std::vector<unsigned char> buf(n);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1)
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  return buf;
}

std::string hex(const std::vector<unsigned char>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string uuid_v4() {
  auto b = random_bytes(16);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string h = hex(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string as_text(const Value& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

Result<Value> evaluate(const Expression& e, const Variables& vars) {
  Value v;
  if (e.literal) {
    v = e.text;
  } else if (e.text.starts_with("env.")) {
    std::string name = e.text.substr(4);
    const char* env = std::getenv(name.c_str());
    if (!env) return Error{"environment variable « " + name + " » is not set"};
    v = std::string(env);
  } else if (e.text == "uuid") {
    v = uuid_v4();
  } else if (e.text == "now_ms") {
    v = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count();
  } else if (e.text == "random_email") {
    v = "dev-" + hex(random_bytes(4)) + "@example.test";
  } else {
    const Value* found = vars.find(e.text);
    if (!found) {
      std::string root = e.text.substr(0, e.text.find('.'));
      return Error{vars.find(root)
                       ? "« " + e.text + " » not found: « " + root + " » has no such field or index"
                       : "unknown variable « " + root + " »"};
    }
    v = *found;
  }
  for (const auto& f : e.filters) {
    if (f == "json") {
      v = v.dump();
    } else {
      std::string text = as_text(v);
      if (f == "urlencode") {
        text = percent_encode(text);
      } else if (f == "base64") {
        text = base64_encode(text);
      } else if (f == "lower") {
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      } else if (f == "upper") {
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      }
      v = std::move(text);
    }
  }
  return v;
}

Result<Value> render_value_at(const Value& value, const Variables& vars, int depth) {
  if (depth > 256) return Error{"value nested too deeply"};
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    std::vector<Piece> pieces;
    std::string err = parse_template(s, &pieces);
    if (!err.empty()) return Error{std::move(err)};
    // Exactly one {{name}}: the variable's own JSON type (a number stays a number).
    if (pieces.size() == 1 && pieces[0].is_expression) return evaluate(pieces[0].expression, vars);
    auto text = render(s, vars);
    if (!text) return text.error();
    return Value(std::move(*text));
  }
  if (value.is_array()) {
    Value out = Value::array();
    for (const auto& el : value) {
      auto r = render_value_at(el, vars, depth + 1);
      if (!r) return r;
      out.push_back(std::move(*r));
    }
    return out;
  }
  if (value.is_object()) {
    Value out = Value::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      auto key = render(it.key(), vars);
      if (!key) return key.error();
      auto r = render_value_at(it.value(), vars, depth + 1);
      if (!r) return r;
      out[*key] = std::move(*r);
    }
    return out;
  }
  return value;
}

}  // namespace

void Variables::set(const std::string& name, Value value) {
  values_[name] = std::move(value);
}

const Value* Variables::find(std::string_view dotted_name) const {
  size_t dot = dotted_name.find('.');
  auto it = values_.find(std::string(dotted_name.substr(0, dot)));
  if (it == values_.end()) return nullptr;
  const Value* v = &it->second;
  while (dot != std::string_view::npos) {
    size_t start = dot + 1;
    dot = dotted_name.find('.', start);
    std::string_view seg =
        dotted_name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (seg.empty()) return nullptr;
    if (v->is_object()) {
      auto f = v->find(std::string(seg));
      if (f == v->end()) return nullptr;
      v = &*f;
    } else if (v->is_array()) {
      if (seg.size() > 9 ||
          !std::all_of(seg.begin(), seg.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return nullptr;
      size_t index = std::stoul(std::string(seg));
      if (index >= v->size()) return nullptr;
      v = &(*v)[index];
    } else {
      return nullptr;
    }
  }
  return v;
}

Result<std::string> render(std::string_view text, const Variables& vars) {
  std::vector<Piece> pieces;
  std::string err = parse_template(text, &pieces);
  if (!err.empty()) return Error{std::move(err)};
  std::string out;
  for (const auto& p : pieces) {
    if (!p.is_expression) {
      out += p.text;
      continue;
    }
    auto v = evaluate(p.expression, vars);
    if (!v) return v.error();
    out += as_text(*v);
  }
  return out;
}

Result<Value> render_value(const Value& value, const Variables& vars) {
  return render_value_at(value, vars, 0);
}

Result<void, UnrenderedVariable> render_all(
    std::map<std::string, Value> pending, const Variables& vars,
    const std::function<void(const std::string&, Value)>& on_value) {
  while (!pending.empty()) {
    const size_t before = pending.size();
    UnrenderedVariable last;
    for (auto it = pending.begin(); it != pending.end();) {
      if (auto v = render_value(it->second, vars)) {
        on_value(it->first, std::move(*v));
        it = pending.erase(it);
      } else {
        last = {it->first, v.error().message};
        ++it;
      }
    }
    if (pending.size() == before) return last;
  }
  return {};
}

std::string template_syntax_error(std::string_view text) {
  return parse_template(text, nullptr);
}

std::string substitute_known(std::string_view text, const Variables& vars) {
  if (!template_syntax_error(text).empty()) return std::string(text);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    size_t at = open + 2;
    Expression e;
    parse_expression(text, at, e);
    std::string root = e.text.substr(0, e.text.find('.'));
    std::optional<Value> v;
    if (!e.literal && root != "env" && vars.find(root)) {
      if (auto known = evaluate(e, vars)) v = std::move(*known);
    }
    out += v ? as_text(*v) : std::string(text.substr(open, at - open));
    i = at;
  }
  if (i < text.size()) out.append(text.substr(i));
  return out;
}

}  // namespace pistesim::scenario
