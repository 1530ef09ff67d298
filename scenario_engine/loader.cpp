#include "scenario_engine/loader.h"

#include "scenario_engine/loader_reader.h"

namespace pistesim::scenario {

std::string LoadError::to_string() const {
  if (where.line <= 0) return where.file + ": " + message;
  return where.to_string() + ": " + message;
}

namespace loading {

Reader::Reader(std::string file, Context& ctx, std::vector<SourceLocation> used_from,
               std::string verb)
    : TomlReader(
          std::move(file), ctx.errors,
          used_from.empty() ? "" : " (" + verb + " from " + used_from.front().to_string() + ")"),
      dir_(dir_of(file_)),
      ctx_(ctx),
      used_from_(std::move(used_from)) {}

SourceLocation Reader::loc(const toml::source_region& r) const {
  return {file_, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

void Reader::error(const SourceLocation& where, std::string message) {
  TomlReader::error(where.line, where.column, std::move(message));
}

void Reader::read_includes(const toml::node& n, Row& vars, Tables& tables) {
  std::vector<const toml::node*> items;
  if (n.is_string()) {
    items.push_back(&n);
  } else if (const toml::array* a = n.as_array()) {
    for (const auto& el : *a) items.push_back(&el);
  } else {
    error(n, "« include » must be a list of files ([\"lib/vars.toml\"]), not " +
                 std::string(toml_type_name(n)));
    return;
  }
  for (const toml::node* item : items) {
    auto rel = string(*item, "include", "a file path such as \"lib/vars.toml\"", true, true);
    if (!rel) continue;
    std::string path = resolve(dir_, *rel);
    auto child = enter(*item, path, "include");
    if (!child) continue;
    FileText f = read_input_file(path);
    if (!f.error.empty()) {
      error(*item, "cannot include " + q(*rel) + " (" + path + "): " + f.error);
      leave();
      continue;
    }
    std::vector<SourceLocation> chain = {loc(*item)};
    chain.insert(chain.end(), used_from_.begin(), used_from_.end());
    Reader r(path, ctx_, chain, "included");
    if (auto root = r.parse(f.text)) {
      r.check_keys(*root, {"vars", "tables", "include", "description"}, "an included file");
      if (const toml::node* inc = root->get("include")) r.read_includes(*inc, vars, tables);
      if (const toml::node* v = root->get("vars"))
        if (auto row = r.variables(*v, "vars"))
          for (auto& [k, val] : *row) vars[k] = std::move(val);
      if (const toml::node* t = root->get("tables")) r.read_tables(*t, tables);
    }
    leave();
  }
}

bool Reader::enter(const toml::node& at, const std::string& path, const char* what) {
  std::string key = canonical_key(path);
  auto it = std::find(ctx_.stack.begin(), ctx_.stack.end(), key);
  if (it != ctx_.stack.end()) {
    std::string chain;
    for (; it != ctx_.stack.end(); ++it) chain += fs::path(*it).filename().string() + " → ";
    error(at, std::string(what) + " cycle: " + chain + fs::path(key).filename().string() +
                  "; expected files that do not " + what + " one another in a loop");
    return false;
  }
  if (ctx_.stack.size() >= kMaxUseDepth) {
    error(at, std::string(what) + " nested too deeply (at most " + std::to_string(kMaxUseDepth) +
                  " files)");
    return false;
  }
  ctx_.stack.push_back(key);
  return true;
}

void Reader::leave() {
  ctx_.stack.pop_back();
}

// Checks that need the whole, inlined sequence: `wait` and `journal` name earlier steps.
void check_references(const std::vector<Step>& steps, std::vector<InputError>& errors) {
  std::set<std::string> marks;
  std::map<std::string, const Step*> background;
  auto report = [&](const Step& s, std::string message) {
    if (!s.included_from.empty())
      message += " (used from " + s.included_from.front().to_string() + ")";
    errors.push_back({s.where.file, s.where.line, s.where.column, std::move(message)});
  };
  auto names = [](const auto& set) {
    std::string out;
    for (const auto& n : set) {
      if constexpr (std::is_same_v<std::decay_t<decltype(n)>, std::string>)
        out += (out.empty() ? "" : ", ") + n;
      else
        out += (out.empty() ? "" : ", ") + n.first;
    }
    return out.empty() ? std::string("none") : out;
  };
  for (const auto& s : steps) {
    if (const auto* m = std::get_if<MarkAction>(&s.action)) marks.insert(m->name);
    if (const auto* e = std::get_if<ExecAction>(&s.action); e && e->background) {
      if (background.count(s.name))
        report(s, "two background exec steps are named « " + s.name +
                      " »; expected unique names (« wait » names one)");
      background[s.name] = &s;
    }
    if (const auto* w = std::get_if<WaitAction>(&s.action)) {
      if (!background.count(w->step))
        report(s, "« wait » names no earlier background exec step « " + w->step +
                      " »; expected one of: " + names(background));
    }
    if (const auto* j = std::get_if<JournalAction>(&s.action)) {
      for (const auto* mark : {&j->since, &j->until})
        if (*mark && !marks.count(**mark))
          report(s, "« journal » names no earlier mark « " + **mark + " »; expected one of: " +
                        names(marks) + " (a step « mark = \"" + **mark + "\" » before it)");
    }
  }
}

// The errors of a load, each file's in the order of its lines, the files in the order met.
std::vector<LoadError> sorted_errors(const std::vector<InputError>& found) {
  std::vector<LoadError> errors;
  for (const auto& e : found) errors.push_back({{e.file, e.line, e.column}, e.message});
  std::vector<std::string> files;
  for (const auto& e : errors)
    if (std::find(files.begin(), files.end(), e.where.file) == files.end())
      files.push_back(e.where.file);
  auto rank = [&](const LoadError& e) {
    return std::find(files.begin(), files.end(), e.where.file) - files.begin();
  };
  std::stable_sort(errors.begin(), errors.end(), [&](const LoadError& a, const LoadError& b) {
    return std::make_tuple(rank(a), a.where.line, a.where.column) <
           std::make_tuple(rank(b), b.where.line, b.where.column);
  });
  errors.erase(std::unique(errors.begin(), errors.end(),
                           [](const LoadError& a, const LoadError& b) {
                             return a.to_string() == b.to_string();
                           }),
               errors.end());
  return errors;
}

std::variant<Scenario, std::vector<LoadError>> load(const std::string& text,
                                                    const std::string& path,
                                                    const LoadOptions& options) {
  Context ctx;
  ctx.stack.push_back(canonical_key(path));
  Reader r(path, ctx, {}, "");
  Scenario sc;
  sc.file = path;
  sc.where = {path, 1, 1};
  auto root = r.parse(text);
  if (!root) return sorted_errors(ctx.errors);

  static const Keys kTop = {"name", "description", "tags", "covers", "world", "skip",
                            "only", "include",     "vars", "tables", "step",  "conformance"};
  r.check_keys(*root, kTop, "the scenario (top level)");
  if (const toml::node* n = root->get("name")) {
    if (auto s = r.string(*n, "name", "the scenario's name", true, true)) sc.name = *s;
  } else {
    r.error(SourceLocation{path, 1, 1},
            "the scenario has no « name »; expected name = \"Token then API call\" at the top");
  }
  if (const toml::node* n = root->get("description"))
    sc.description = r.string(*n, "description", "a string", false, true).value_or("");
  for (auto key : {"tags", "covers"}) {
    const toml::node* n = root->get(key);
    if (!n) continue;
    const toml::array* a = n->as_array();
    if (!a) {
      r.error(*n, q(key) + " must be a list of strings ([\"oauth\", \"gateway\"]), not " +
                      toml_type_name(*n));
      continue;
    }
    for (const auto& el : *a) {
      auto s = r.string(el, key, "a string", true, true);
      if (!s) continue;
      if (std::string(key) == "tags") {
        sc.tags.push_back(*s);
        continue;
      }
      const auto& catalogue =
          options.behaviours ? *options.behaviours : BehaviourCatalogue::builtin();
      if (auto unknown = catalogue.check(*s))
        r.error(el, *unknown);
      else
        sc.covers.push_back(*s);
    }
  }
  if (const toml::node* n = root->get("world")) {
    if (auto s = r.string(*n, "world", "\"default\" or a world file", true, true)) {
      if (*s == "default") {
        sc.world = "default";
      } else {
        sc.world = absolute(resolve(dir_of(path), *s));
        std::error_code ec;
        if (!fs::is_regular_file(sc.world, ec))
          r.error(*n, "world file " + q(*s) + " not found (" + sc.world +
                          "); expected \"default\" or a world file relative to this file");
      }
    }
  }
  if (const toml::node* n = root->get("skip"))
    sc.skip = r.string(*n, "skip", "the reason for skipping (skip = \"needs TLS\")");
  if (const toml::node* n = root->get("only")) sc.only = r.boolean(*n, "only").value_or(false);
  if (const toml::node* n = root->get("include")) r.read_includes(*n, sc.vars, sc.tables);
  if (const toml::node* n = root->get("vars"))
    if (auto row = r.variables(*n, "vars"))
      for (auto& [k, v] : *row) sc.vars[k] = std::move(v);
  if (const toml::node* n = root->get("tables")) r.read_tables(*n, sc.tables);
  if (const toml::node* n = root->get("conformance")) {
    // A conformance check's metadata (conformance/, docs/conformance.md): kept for that tool.
    if (!n->is_table())
      r.error(*n, std::string("« conformance » must be a table ([conformance] id = \"A1\"), not ") +
                      toml_type_name(*n));
    else if (auto v = r.value(*n, "conformance"))
      sc.meta["conformance"] = std::move(*v);
  }

  if (!root->get("step")) {
    r.error(SourceLocation{path, 1, 1},
            "the scenario has no [[step]]; expected at least one, e.g. [[step]] request = \"GET "
            "{{sandbox_api}}/…\"");
  }
  Scope scope;
  scope.tables = &sc.tables;
  r.read_steps(*root, scope, sc.steps);
  if (ctx.errors.empty()) check_references(sc.steps, ctx.errors);
  if (!ctx.errors.empty()) return sorted_errors(ctx.errors);
  return sc;
}

}  // namespace loading

using namespace loading;

std::variant<Scenario, std::vector<LoadError>> load_scenario_text(const std::string& text,
                                                                  const std::string& path,
                                                                  const LoadOptions& options) {
  return load(text, path, options);
}

std::variant<Scenario, std::vector<LoadError>> load_scenario_file(const std::string& path,
                                                                  const LoadOptions& options) {
  FileText f = read_input_file(path);
  if (!f.error.empty()) return std::vector<LoadError>{{{path, 0, 0}, f.error}};
  return load(f.text, path, options);
}

std::vector<std::string> find_scenario_files(const std::vector<std::string>& paths,
                                             std::vector<LoadError>* errors) {
  std::vector<std::string> out;
  auto fail = [&](const std::string& p, std::string message) {
    if (errors) errors->push_back({{p, 0, 0}, std::move(message)});
  };
  for (const auto& p : paths) {
    std::error_code ec;
    auto status = fs::status(p, ec);
    if (ec || !fs::exists(status)) {
      fail(p, "no such file or directory; expected a scenario file or a directory of them");
      continue;
    }
    if (!fs::is_directory(status)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
      fail(p, "cannot read directory: " + ec.message());
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) {
        fail(p, "cannot read directory: " + ec.message());
        break;
      }
      if (it->is_directory(ec) && it->path().filename() == "lib") {
        it.disable_recursion_pending();  // step libraries for `use`, not scenarios
        continue;
      }
      if (it->is_regular_file(ec) && it->path().extension() == ".toml" &&
          it->path().filename() != kBehavioursFileName)
        found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace pistesim::scenario
