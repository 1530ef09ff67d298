// The one way pistesim reads its TOML inputs (worlds, scenarios, load profiles, conformance
// checks and target profiles): opening and parsing a file, typed fields and unknown keys, each
// mistake reported in one format, "file:line:column: « field » must be …, not …", and every
// mistake of a file, not only the first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace pistesim {

// One mistake in an input file. Line 0: the file as a whole (it cannot be opened, or lacks
// something), which has no position to give.
struct InputError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;

  std::string to_string() const;  // "file:line:column: message", or "file: message"
};

// The mistakes of one file as a reader meets them (a table's keys, then its fields, then checks
// across tables) put in the order of the file, which is how they are shown.
void sort_in_file_order(std::vector<InputError>& errors);

// Guards for hostile input: no reader takes more than this from a file.
constexpr uintmax_t kMaxInputFileBytes = 4u << 20;

// A file's bytes, or why they could not be read ("cannot open: No such file or directory", "it is
// a directory", "larger than 4194304 bytes").
struct FileText {
  std::string text;
  std::string error;  // empty when read
};
FileText read_input_file(const std::string& path, uintmax_t max_bytes = kMaxInputFileBytes);

// Words for toml++ node types: "a string", "an integer", "a table", …
const char* toml_type_name(const toml::node& n);
// « name »: how messages quote a field, key or value.
std::string quote_field(std::string_view name);
// "\"value\"": how messages show a string the file gave.
std::string quote_value(std::string_view value);
// "a, b, c".
std::string join_names(const std::vector<std::string_view>& names);
// " did you mean « expect »?" when one of `options` is a plausible misspelling of `word`, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& options);

// Reads one file, appending its mistakes to `errors`. The typed accessors take the node and the
// field's name as the user wrote it ("apis[1].channels"), and return nullopt after reporting
// when the node is not what `expected` says.
class TomlReader {
 public:
  using Keys = std::vector<std::string_view>;

  // `note` is appended to every message (the scenario loader's "(used from x.toml:3:1)").
  TomlReader(std::string file, std::vector<InputError>& errors, std::string note = {});

  const std::string& file() const { return file_; }
  size_t error_count() const { return errors_.size(); }

  void error(const toml::source_region& where, std::string message);
  void error(const toml::node& n, std::string message) { error(n.source(), std::move(message)); }
  void error(int line, int column, std::string message);
  // A mistake of the file as a whole (no position).
  void file_error(std::string message);

  // The largest text parse_file() and parse() take (kMaxInputFileBytes unless set).
  void set_max_bytes(uintmax_t n) { max_bytes_ = n; }

  // The file's text parsed; nullopt after reporting "cannot open: …" or "invalid TOML: …".
  std::optional<toml::table> parse_file();
  std::optional<toml::table> parse(std::string_view text);

  // "unknown key « x » in <where>; did you mean « y »? expected one of: …" for each key of `t`
  // not in `allowed`. False when there was one.
  bool check_keys(const toml::table& t, const Keys& allowed, std::string_view where);
  // "missing « field »; expected <expected>" at the table, when `key` is absent.
  const toml::node* require(const toml::table& t, std::string_view key, std::string_view field,
                            std::string_view expected);

  // "« field » must be <expected>, not <what n is>".
  void must_be(const toml::node& n, std::string_view field, std::string_view expected);
  // The same naming the value found: "…, not \"STAGING\"".
  void must_be(const toml::node& n, std::string_view field, std::string_view expected,
               std::string_view found);
  // Rules that are not "be …": "« field » must <rule>, not <found>" ("must hold e-mail
  // addresses, not \"x\"").
  void must(const toml::node& n, std::string_view field, std::string_view rule,
            std::string_view found);
  // A rule that speaks of another place in the file (a reference, a duplicate): "« field » must
  // <rule>; <why>" ("must be the id of a [[cgu]]; no [[cgu]] has id \"x\"").
  void must_because(const toml::node& n, std::string_view field, std::string_view rule,
                    std::string_view why);

  std::optional<std::string> string(const toml::node& n, std::string_view field,
                                    std::string_view expected = "a string");
  std::optional<bool> boolean(const toml::node& n, std::string_view field);
  // An integer in [lo, hi]; `expected` defaults to "an integer from lo to hi".
  std::optional<int64_t> integer(const toml::node& n, std::string_view field, int64_t lo,
                                 int64_t hi, std::string_view expected = {});
  // An integer or a float, finite, in [lo, hi].
  std::optional<double> number(const toml::node& n, std::string_view field, double lo, double hi,
                               std::string_view expected = "a number");
  // One of `options` ("\"open\" or \"closed\""), with a did-you-mean.
  std::optional<std::string> one_of(const toml::node& n, std::string_view field,
                                    const Keys& options);
  // "500ms", "5s", "1h30m" in milliseconds (zero refused when `positive`).
  std::optional<int64_t> duration_ms(const toml::node& n, std::string_view field,
                                     bool positive = true);
  const toml::table* table(const toml::node& n, std::string_view field,
                           std::string_view expected = "a table");
  const toml::array* array(const toml::node& n, std::string_view field,
                           std::string_view expected = "an array");
  // An array of strings (elements of another type are reported and left out).
  std::optional<std::vector<std::string>> strings(const toml::node& n, std::string_view field);

 protected:
  std::string file_;
  uintmax_t max_bytes_ = kMaxInputFileBytes;
  std::vector<InputError>& errors_;
  std::string note_;
};

}  // namespace pistesim
