// {{templates}} in scenario strings: variables ("{{token}}"), dotted lookups into captured
// JSON ("{{app.oauth_clients.0.client_id}}"), the process environment ("{{env.HOME}}"),
// built-ins ("{{uuid}}", "{{now_ms}}", "{{random_email}}") and filters
// ("{{secret | urlencode}}", "| base64", "| json", "| lower", "| upper").
// An unknown variable is an error, never an empty string.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "scenario_engine/model.h"

namespace pistesim::scenario {

class Variables {
 public:
  void set(const std::string& name, Value value);
  const Value* find(std::string_view dotted_name) const;  // "app.oauth_clients.0.client_id"
  const std::map<std::string, Value>& all() const { return values_; }

 private:
  std::map<std::string, Value> values_;
};

// Renders every {{…}} of `text`, or says why it cannot ("unknown variable « tokn »").
// A value that is not a string renders as its JSON text (42, true, {"a":1}).
Result<std::string> render(std::string_view text, const Variables& vars);
// Renders the strings inside a JSON value. A string that is exactly one "{{name}}" takes the
// variable's JSON type (a number stays a number).
Result<Value> render_value(const Value& value, const Variables& vars);

// A variable render_all could not render, and why.
struct UnrenderedVariable {
  std::string name;
  std::string reason;
};
// Renders variables that may refer to each other in any order: each value once the ones it
// names are known, `on_value(name, value)` as it is (the caller stores it in `vars`), until all
// are. Fails when a round resolves none, naming the last variable that could not be rendered.
Result<void, UnrenderedVariable> render_all(
    std::map<std::string, Value> pending, const Variables& vars,
    const std::function<void(const std::string&, Value)>& on_value);
// Checks the syntax of a template without rendering it (the loader reports bad templates
// before anything runs). Empty when fine, else what is wrong.
std::string template_syntax_error(std::string_view text);
// Replaces only the {{…}} whose variable `vars` holds and leaves every other one as written
// (the loader binds `with` values of nested `use` steps to the enclosing `with`).
std::string substitute_known(std::string_view text, const Variables& vars);

}  // namespace pistesim::scenario
