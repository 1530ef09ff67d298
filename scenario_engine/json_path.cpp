// JSONPath (RFC 9535 subset). The path is parsed into a small tree, then evaluated; both halves
// are bounded so that no input — path or document — can crash or hang the runner: nesting in a
// path is limited (kMaxNesting), documents are walked with an explicit stack, and evaluation
// stops with an error once it has visited kMaxWork nodes.
//
// Deliberate departures from the RFC, for scenario authors: member-name shorthands may contain
// '-' ("$.Retry-After"), whitespace may end the path, and function extensions (length(),
// match()…) are not supported (a clear error says so).
#include "scenario_engine/json_path.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

namespace pistesim::scenario {

namespace {

constexpr int kMaxNesting = 32;         // filters, parentheses and '!' inside one path
constexpr size_t kMaxWork = 2'000'000;  // nodes visited while evaluating one path
constexpr int64_t kMaxIndex = (int64_t{1} << 53) - 1;  // RFC 9535 §2.1: I-JSON integers

struct Expr;
struct Segment;

struct Query {
  bool absolute = true;  // '$' (document root) or '@' (the filter's current node)
  std::vector<Segment> segments;
};

struct Selector {
  enum class Kind { Name, Wildcard, Index, Slice, Filter };
  Kind kind = Kind::Name;
  std::string name;
  int64_t index = 0;
  std::optional<int64_t> start, end, step;
  std::shared_ptr<Expr> filter;
};

struct Segment {
  bool descendant = false;  // '..'
  std::vector<Selector> selectors;
};

// One side of a comparison: a literal or a singular query.
struct Comparable {
  std::optional<Value> literal;
  Query query;
};

struct Expr {
  enum class Kind { Or, And, Not, Exists, Compare };
  enum class Op { Eq, Ne, Lt, Le, Gt, Ge };
  Kind kind = Kind::Exists;
  std::vector<Expr> children;  // Or, And: operands; Not: one operand
  Query query;                 // Exists
  Comparable lhs, rhs;         // Compare
  Op op = Op::Eq;
};

bool is_singular(const Query& q) {
  for (const auto& s : q.segments) {
    if (s.descendant || s.selectors.size() != 1) return false;
    auto k = s.selectors[0].kind;
    if (k != Selector::Kind::Name && k != Selector::Kind::Index) return false;
  }
  return true;
}

std::string describe_char(char c) {
  if (c == '\'') return "\"'\"";
  if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
    static constexpr char kHex[] = "0123456789abcdef";
    unsigned char u = static_cast<unsigned char>(c);
    return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xF];
  }
  return std::string("'") + c + "'";
}

bool is_name_first(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || u >= 0x80;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_char(char c) {
  return is_name_first(c) || is_digit(c) || c == '-';
}
bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Recursive descent over the path text. The first error wins; after it every parse function
// returns quickly with an empty result.
class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::optional<Query> parse() {
    if (s_.empty()) {
      fail("an empty JSONPath; expected '$'");
      return std::nullopt;
    }
    if (s_[0] != '$') {
      unexpected("'$' (a JSONPath starts at the document root)");
      return std::nullopt;
    }
    ++pos_;
    Query q;
    q.absolute = true;
    parse_segments(q);
    skip_blanks();
    if (!failed() && pos_ < s_.size()) unexpected("'.', '[' or the end of the path");
    if (failed()) return std::nullopt;
    return q;
  }

  const std::string& error() const { return error_; }

 private:
  bool failed() const { return !error_.empty(); }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }

  void fail(std::string message) {
    if (!failed()) error_ = std::move(message);
  }
  // "unexpected ']' at position 7; expected a name, an index or '*'"
  void unexpected(std::string_view expected) {
    if (failed()) return;
    if (at_end())
      error_ = "unexpected end of path at position " + std::to_string(pos_) + "; expected " +
               std::string(expected);
    else
      error_ = "unexpected " + describe_char(s_[pos_]) + " at position " + std::to_string(pos_) +
               "; expected " + std::string(expected);
  }
  void skip_blanks() {
    while (!at_end() && is_blank(s_[pos_])) ++pos_;
  }
  bool enter() {
    if (++depth_ > kMaxNesting) {
      fail("the path nests filters, parentheses or '!' more than " + std::to_string(kMaxNesting) +
           " deep (at position " + std::to_string(pos_) + ")");
      return false;
    }
    return true;
  }
  void leave() { --depth_; }

  void parse_segments(Query& q) {
    while (!failed()) {
      size_t before = pos_;
      skip_blanks();
      if (peek() != '.' && peek() != '[') {
        pos_ = before;
        return;
      }
      Segment seg;
      if (peek() == '.' && peek(1) == '.') {
        pos_ += 2;
        seg.descendant = true;
        if (peek() == '[') {
          parse_bracketed(seg);
        } else if (peek() == '*') {
          ++pos_;
          seg.selectors.push_back(wildcard());
        } else if (is_name_first(peek())) {
          seg.selectors.push_back(name_selector(parse_shorthand()));
        } else {
          unexpected("a name, '*' or '[' after '..'");
        }
      } else if (peek() == '.') {
        ++pos_;
        if (peek() == '*') {
          ++pos_;
          seg.selectors.push_back(wildcard());
        } else if (is_name_first(peek())) {
          seg.selectors.push_back(name_selector(parse_shorthand()));
        } else if (is_digit(peek())) {
          unexpected("a name or '*' after '.' (array indices are written [0])");
        } else {
          unexpected("a name or '*' after '.'");
        }
      } else {
        parse_bracketed(seg);
      }
      if (failed()) return;
      q.segments.push_back(std::move(seg));
    }
  }

  static Selector wildcard() {
    Selector s;
    s.kind = Selector::Kind::Wildcard;
    return s;
  }

  static Selector name_selector(std::string name) {
    Selector s;
    s.kind = Selector::Kind::Name;
    s.name = std::move(name);
    return s;
  }

  std::string parse_shorthand() {
    size_t start = pos_;
    while (!at_end() && is_name_char(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  void parse_bracketed(Segment& seg) {
    ++pos_;  // '['
    while (!failed()) {
      skip_blanks();
      parse_selector(seg);
      if (failed()) return;
      skip_blanks();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return;
      }
      unexpected("',' or ']'");
    }
  }

  void parse_selector(Segment& seg) {
    char c = peek();
    if (c == '\'' || c == '"') {
      seg.selectors.push_back(name_selector(parse_string()));
    } else if (c == '*') {
      ++pos_;
      seg.selectors.push_back(wildcard());
    } else if (c == '?') {
      ++pos_;
      Selector s;
      s.kind = Selector::Kind::Filter;
      if (!enter()) return;
      skip_blanks();
      s.filter = std::make_shared<Expr>(parse_or());
      leave();
      seg.selectors.push_back(std::move(s));
    } else if (c == '-' || is_digit(c) || c == ':') {
      parse_index_or_slice(seg);
    } else if (is_name_first(c)) {
      unexpected("a name, an index or '*' (names in brackets are quoted: ['name'])");
    } else {
      unexpected("a name, an index or '*'");
    }
  }

  std::optional<int64_t> parse_int(std::string_view what) {
    size_t start = pos_;
    bool negative = false;
    if (peek() == '-') {
      negative = true;
      ++pos_;
    }
    if (!is_digit(peek())) {
      unexpected(std::string("a digit in ") + std::string(what));
      return std::nullopt;
    }
    int64_t v = 0;
    while (is_digit(peek())) {
      v = v * 10 + (peek() - '0');
      ++pos_;
      if (v > kMaxIndex) {
        pos_ = start;
        fail(std::string(what) + " at position " + std::to_string(start) +
             " is out of range (at most 2^53-1)");
        return std::nullopt;
      }
    }
    return negative ? -v : v;
  }

  void parse_index_or_slice(Segment& seg) {
    Selector s;
    std::optional<int64_t> first;
    if (peek() != ':') {
      first = parse_int("an index");
      if (failed()) return;
      skip_blanks();
    }
    if (peek() != ':') {
      s.kind = Selector::Kind::Index;
      s.index = *first;
      seg.selectors.push_back(std::move(s));
      return;
    }
    s.kind = Selector::Kind::Slice;
    s.start = first;
    ++pos_;  // ':'
    skip_blanks();
    if (peek() == '-' || is_digit(peek())) {
      s.end = parse_int("a slice end");
      skip_blanks();
    }
    if (peek() == ':') {
      ++pos_;
      skip_blanks();
      if (peek() == '-' || is_digit(peek())) s.step = parse_int("a slice step");
    }
    if (failed()) return;
    seg.selectors.push_back(std::move(s));
  }

  // A quoted string (names in brackets, literals in filters), JSON escapes, either quote.
  std::string parse_string() {
    char quote = s_[pos_++];
    std::string out;
    while (!failed()) {
      if (at_end()) {
        unexpected(std::string("a closing ") + (quote == '\'' ? "\"'\"" : "'\"'"));
        break;
      }
      char c = s_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        unexpected("a printable character in a string (escape control characters)");
        break;
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      char e = peek();
      switch (e) {
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case '/':
          out += '/';
          break;
        case '\\':
          out += '\\';
          break;
        case '\'':
          out += '\'';
          break;
        case '"':
          out += '"';
          break;
        case 'u': {
          ++pos_;
          auto cp = parse_hex4();
          if (!cp) return out;
          uint32_t code = *cp;
          if (code >= 0xD800 && code <= 0xDBFF) {
            if (peek() != '\\' || peek(1) != 'u') {
              unexpected("'\\u' and the low half of a surrogate pair");
              return out;
            }
            pos_ += 2;
            auto low = parse_hex4();
            if (!low) return out;
            if (*low < 0xDC00 || *low > 0xDFFF) {
              pos_ -= 4;
              unexpected("the low half of a surrogate pair (\\uDC00 to \\uDFFF)");
              return out;
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            pos_ -= 4;
            unexpected("a code point, not the low half of a surrogate pair");
            return out;
          }
          append_utf8(out, code);
          continue;
        }
        default:
          unexpected("an escape: b f n r t / \\ ' \" or uXXXX");
          return out;
      }
      ++pos_;
    }
    return out;
  }

  std::optional<uint32_t> parse_hex4() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = peek();
      int d = is_digit(c)              ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) {
        unexpected("four hexadecimal digits after \\u");
        return std::nullopt;
      }
      v = v * 16 + static_cast<uint32_t>(d);
      ++pos_;
    }
    return v;
  }

  // ---- filters: logical-or / logical-and / basic expressions (RFC 9535 §2.3.5.1) ----

  Expr parse_or() {
    Expr first = parse_and();
    skip_blanks();
    if (failed() || !(peek() == '|' && peek(1) == '|')) return first;
    Expr e;
    e.kind = Expr::Kind::Or;
    e.children.push_back(std::move(first));
    while (!failed() && peek() == '|' && peek(1) == '|') {
      pos_ += 2;
      skip_blanks();
      e.children.push_back(parse_and());
      skip_blanks();
    }
    return e;
  }

  Expr parse_and() {
    Expr first = parse_basic();
    skip_blanks();
    if (failed() || !(peek() == '&' && peek(1) == '&')) return first;
    Expr e;
    e.kind = Expr::Kind::And;
    e.children.push_back(std::move(first));
    while (!failed() && peek() == '&' && peek(1) == '&') {
      pos_ += 2;
      skip_blanks();
      e.children.push_back(parse_basic());
      skip_blanks();
    }
    return e;
  }

  Expr parse_basic() {
    Expr e;
    if (failed()) return e;
    if (!enter()) return e;
    skip_blanks();
    if (peek() == '!') {
      ++pos_;
      skip_blanks();
      e.kind = Expr::Kind::Not;
      if (peek() == '(') {
        e.children.push_back(parse_paren());
      } else if (peek() == '@' || peek() == '$') {
        Expr test;
        test.kind = Expr::Kind::Exists;
        test.query = parse_embedded_query();
        e.children.push_back(std::move(test));
      } else {
        unexpected("'(' or a query ('@…' or '$…') after '!'");
      }
      leave();
      return e;
    }
    if (peek() == '(') {
      e = parse_paren();
      leave();
      return e;
    }
    size_t lhs_at = pos_;
    Comparable lhs = parse_comparable();
    if (failed()) {
      leave();
      return e;
    }
    skip_blanks();
    auto op = parse_op();
    if (!op) {
      if (lhs.literal) {
        unexpected("a comparison operator (==, !=, <, <=, >, >=) after the literal");
      } else {
        e.kind = Expr::Kind::Exists;
        e.query = std::move(lhs.query);
      }
      leave();
      return e;
    }
    if (!lhs.literal && !is_singular(lhs.query)) {
      fail(not_singular(lhs_at));
      leave();
      return e;
    }
    skip_blanks();
    size_t rhs_at = pos_;
    Comparable rhs = parse_comparable();
    if (!failed() && !rhs.literal && !is_singular(rhs.query)) fail(not_singular(rhs_at));
    e.kind = Expr::Kind::Compare;
    e.op = *op;
    e.lhs = std::move(lhs);
    e.rhs = std::move(rhs);
    leave();
    return e;
  }

  static std::string not_singular(size_t at) {
    return "the query at position " + std::to_string(at) +
           " may select several values; a comparison needs a singular query (names and indices "
           "only)";
  }

  Expr parse_paren() {
    ++pos_;  // '('
    skip_blanks();
    Expr inner = parse_or();
    skip_blanks();
    if (!failed()) {
      if (peek() == ')')
        ++pos_;
      else
        unexpected("')', '&&' or '||'");
    }
    return inner;
  }

  std::optional<Expr::Op> parse_op() {
    char a = peek(), b = peek(1);
    if (a == '=' && b == '=') return pos_ += 2, Expr::Op::Eq;
    if (a == '!' && b == '=') return pos_ += 2, Expr::Op::Ne;
    if (a == '<' && b == '=') return pos_ += 2, Expr::Op::Le;
    if (a == '>' && b == '=') return pos_ += 2, Expr::Op::Ge;
    if (a == '<') return pos_ += 1, Expr::Op::Lt;
    if (a == '>') return pos_ += 1, Expr::Op::Gt;
    if (a == '=') {
      unexpected("'==' (a single '=' is not a comparison)");
      return std::nullopt;
    }
    return std::nullopt;
  }

  Query parse_embedded_query() {
    Query q;
    q.absolute = peek() == '$';
    ++pos_;
    parse_segments(q);
    return q;
  }

  Comparable parse_comparable() {
    Comparable c;
    char ch = peek();
    if (ch == '@' || ch == '$') {
      c.query = parse_embedded_query();
    } else if (ch == '\'' || ch == '"') {
      c.literal = Value(parse_string());
    } else if (ch == '-' || is_digit(ch)) {
      c.literal = parse_number();
    } else if (s_.substr(pos_, 4) == "true" && !is_name_char(peek(4))) {
      pos_ += 4;
      c.literal = Value(true);
    } else if (s_.substr(pos_, 5) == "false" && !is_name_char(peek(5))) {
      pos_ += 5;
      c.literal = Value(false);
    } else if (s_.substr(pos_, 4) == "null" && !is_name_char(peek(4))) {
      pos_ += 4;
      c.literal = Value(nullptr);
    } else if (is_name_first(ch)) {
      size_t start = pos_;
      while (is_name_char(peek())) ++pos_;
      if (peek() == '(') {
        std::string name(s_.substr(start, pos_ - start));
        pos_ = start;
        fail("unsupported function '" + name + "()' at position " + std::to_string(start) +
             "; expected a query ('@…' or '$…') or a literal");
      } else {
        pos_ = start;
        unexpected("a query ('@…' or '$…') or a literal (string, number, true, false, null)");
      }
    } else {
      unexpected("a query ('@…' or '$…') or a literal (string, number, true, false, null)");
    }
    return c;
  }

  // A JSON number (RFC 8259 §6).
  Value parse_number() {
    size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (!is_digit(peek())) {
      unexpected("a digit");
      return Value();
    }
    if (peek() == '0' && is_digit(peek(1))) {
      ++pos_;
      unexpected("no leading zero in a number");
      return Value();
    }
    while (is_digit(peek())) ++pos_;
    bool integral = true;
    if (peek() == '.') {
      integral = false;
      ++pos_;
      if (!is_digit(peek())) {
        unexpected("a digit after '.'");
        return Value();
      }
      while (is_digit(peek())) ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!is_digit(peek())) {
        unexpected("a digit in the exponent");
        return Value();
      }
      while (is_digit(peek())) ++pos_;
    }
    std::string text(s_.substr(start, pos_ - start));
    if (integral && text.size() <= 18) return Value(std::stoll(text));
    double d = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(d)) {
      pos_ = start;
      fail("the number at position " + std::to_string(start) + " is out of range");
      return Value();
    }
    return Value(d);
  }

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
};

// ---- evaluation ----

class Evaluator {
 public:
  explicit Evaluator(const Value& root) : root_(root) {}

  bool over_budget() const { return work_ > kMaxWork; }

  std::vector<const Value*> run(const Query& q, const Value& current) {
    std::vector<const Value*> nodes{q.absolute ? &root_ : &current};
    for (const auto& seg : q.segments) {
      if (over_budget()) return {};
      std::vector<const Value*> next;
      for (const Value* node : nodes) {
        if (seg.descendant) {
          for (const Value* d : descendants(*node)) {
            for (const auto& sel : seg.selectors) apply(sel, *d, next);
            if (over_budget()) return {};
          }
        } else {
          for (const auto& sel : seg.selectors) apply(sel, *node, next);
        }
        if (over_budget()) return {};
      }
      nodes = std::move(next);
    }
    return nodes;
  }

 private:
  // The node and all its descendants, in document order (pre-order), without recursion.
  std::vector<const Value*> descendants(const Value& node) {
    std::vector<const Value*> out;
    std::vector<const Value*> stack{&node};
    while (!stack.empty() && !over_budget()) {
      const Value* v = stack.back();
      stack.pop_back();
      out.push_back(v);
      ++work_;
      if (v->is_array()) {
        for (auto it = v->rbegin(); it != v->rend(); ++it) stack.push_back(&*it);
      } else if (v->is_object()) {
        for (auto it = v->rbegin(); it != v->rend(); ++it) stack.push_back(&*it);
      }
    }
    return out;
  }

  void push(std::vector<const Value*>& out, const Value* v) {
    ++work_;
    out.push_back(v);
  }

  void apply(const Selector& sel, const Value& node, std::vector<const Value*>& out) {
    switch (sel.kind) {
      case Selector::Kind::Name:
        if (node.is_object()) {
          auto it = node.find(sel.name);
          if (it != node.end()) push(out, &*it);
        }
        return;
      case Selector::Kind::Wildcard:
        if (node.is_array() || node.is_object())
          for (const auto& child : node) push(out, &child);
        return;
      case Selector::Kind::Index: {
        if (!node.is_array()) return;
        int64_t len = static_cast<int64_t>(node.size());
        int64_t i = sel.index < 0 ? len + sel.index : sel.index;
        if (i >= 0 && i < len) push(out, &node[static_cast<size_t>(i)]);
        return;
      }
      case Selector::Kind::Slice:
        slice(sel, node, out);
        return;
      case Selector::Kind::Filter:
        if (node.is_array() || node.is_object()) {
          for (const auto& child : node) {
            ++work_;
            if (over_budget()) return;
            if (test(*sel.filter, child)) push(out, &child);
          }
        }
        return;
    }
  }

  // RFC 9535 §2.3.4.2.2.
  void slice(const Selector& sel, const Value& node, std::vector<const Value*>& out) {
    if (!node.is_array()) return;
    int64_t step = sel.step.value_or(1);
    if (step == 0) return;
    int64_t len = static_cast<int64_t>(node.size());
    auto normalize = [&](int64_t i) { return i >= 0 ? i : len + i; };
    if (step > 0) {
      int64_t start = sel.start ? normalize(*sel.start) : 0;
      int64_t end = sel.end ? normalize(*sel.end) : len;
      int64_t lower = std::min(std::max(start, int64_t{0}), len);
      int64_t upper = std::min(std::max(end, int64_t{0}), len);
      for (int64_t i = lower; i < upper && !over_budget(); i += step)
        push(out, &node[static_cast<size_t>(i)]);
    } else {
      int64_t start = sel.start ? normalize(*sel.start) : len - 1;
      int64_t end = sel.end ? normalize(*sel.end) : -len - 1;
      int64_t upper = std::min(std::max(start, int64_t{-1}), len - 1);
      int64_t lower = std::min(std::max(end, int64_t{-1}), len - 1);
      for (int64_t i = upper; lower < i && !over_budget(); i += step)
        push(out, &node[static_cast<size_t>(i)]);
    }
  }

  bool test(const Expr& e, const Value& current) {
    switch (e.kind) {
      case Expr::Kind::Or:
        for (const auto& c : e.children)
          if (test(c, current)) return true;
        return false;
      case Expr::Kind::And:
        for (const auto& c : e.children)
          if (!test(c, current)) return false;
        return true;
      case Expr::Kind::Not:
        return !test(e.children.front(), current);
      case Expr::Kind::Exists:
        return !run(e.query, current).empty();
      case Expr::Kind::Compare:
        return compare(e, current);
    }
    return false;
  }

  // A comparable's value; nullptr is "Nothing" (the query selected no node).
  const Value* value_of(const Comparable& c, const Value& current) {
    if (c.literal) return &*c.literal;
    auto nodes = run(c.query, current);
    return nodes.size() == 1 ? nodes.front() : nullptr;
  }

  static bool equal(const Value* a, const Value* b) {
    if (!a || !b) return !a && !b;
    return *a == *b;  // nlohmann compares numbers by value across integer and float
  }
  static bool less(const Value* a, const Value* b) {
    if (!a || !b) return false;
    if (a->is_number() && b->is_number()) return *a < *b;
    if (a->is_string() && b->is_string())
      return a->get_ref<const std::string&>() < b->get_ref<const std::string&>();
    return false;
  }

  bool compare(const Expr& e, const Value& current) {
    const Value* a = value_of(e.lhs, current);
    const Value* b = value_of(e.rhs, current);
    switch (e.op) {
      case Expr::Op::Eq:
        return equal(a, b);
      case Expr::Op::Ne:
        return !equal(a, b);
      case Expr::Op::Lt:
        return less(a, b);
      case Expr::Op::Le:
        return less(a, b) || equal(a, b);
      case Expr::Op::Gt:
        return less(b, a);
      case Expr::Op::Ge:
        return less(b, a) || equal(a, b);
    }
    return false;
  }

  const Value& root_;
  size_t work_ = 0;
};

Result<Query> parse_path(std::string_view path) {
  Parser p(path);
  auto q = p.parse();
  if (!q) return Error{p.error()};
  return std::move(*q);
}

}  // namespace

Result<std::vector<const Value*>> json_path_select(const Value& doc, std::string_view path) {
  auto q = parse_path(path);
  if (!q) return q.error();
  Evaluator ev(doc);
  auto nodes = ev.run(*q, doc);
  if (ev.over_budget())
    return Error{"the path visits more than " + std::to_string(kMaxWork) +
                 " nodes of this document; make it more specific"};
  return nodes;
}

std::string json_path_syntax_error(std::string_view path) {
  auto q = parse_path(path);
  return q ? std::string() : q.error().message;
}

bool json_nested_deeper_than(const Value& doc, size_t limit) {
  std::vector<std::pair<const Value*, size_t>> stack{{&doc, 0}};
  while (!stack.empty()) {
    auto [v, depth] = stack.back();
    stack.pop_back();
    if (!v->is_array() && !v->is_object()) continue;
    if (depth + 1 > limit) return true;
    for (const auto& child : *v) stack.emplace_back(&child, depth + 1);
  }
  return false;
}

bool json_path_is_singular(std::string_view path) {
  auto q = parse_path(path);
  return q && is_singular(*q);
}

}  // namespace pistesim::scenario
