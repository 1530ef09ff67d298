// The scenario runner's processes: `exec` (in the foreground or the background) and `wait`.
#include "scenario_engine/scenario_run.h"

namespace pistesim::scenario::running {

void ScenarioRun::perform(const Step& step, const ExecAction& e, const Variables& vars,
                          Attempt& a) {
  ProcessSpec spec;
  if (!prepare_exec(e, vars, spec, a)) return;
  auto start = target_.journal_position();
  if (!start) {
    a.error("cannot read the journal position: " + start.error().message);
    return;
  }
  a.marks.emplace_back(step.name + ":start", *start);
  if (e.background) {
    if (background_.count(step.name)) {
      a.error("a background step named « " + step.name + " » is already running");
      return;
    }
    auto run = std::make_unique<BackgroundRun>();
    run->step = &step;
    run->vars = vars;
    run->command = spec.argv.back();
    BackgroundRun* raw = run.get();
    Target* target = &target_;
    run->thread = std::thread([raw, target, spec = std::move(spec)] {
      raw->result = run_process(spec, &raw->cancel);
      if (auto end = target->journal_position()) raw->end_position = *end;
    });
    background_[step.name] = std::move(run);
    // Its expectations are judged by the `wait` step that joins it.
    return;
  }
  ProcessResult result = run_process(spec);
  if (auto end = target_.journal_position()) a.marks.emplace_back(step.name + ":end", *end);
  judge_process(step, result, e.timeout_ms, vars, a);
}

void ScenarioRun::perform(const Step&, const WaitAction& w, const Variables&, Attempt& a) {
  auto it = background_.find(w.step);
  if (it == background_.end()) {
    a.error("no background exec step named « " + w.step + " » has started" +
            (joined_.count(w.step) ? " (it was already waited for)" : ""));
    return;
  }
  std::unique_ptr<BackgroundRun> run = std::move(it->second);
  background_.erase(it);
  joined_.insert(w.step);
  if (run->thread.joinable()) run->thread.join();
  if (run->end_position) a.marks.emplace_back(w.step + ":end", *run->end_position);
  const auto& exec = std::get<ExecAction>(run->step->action);
  judge_process(*run->step, run->result, exec.timeout_ms, run->vars, a);
}

std::string ScenarioRun::scenario_dir() const {
  std::filesystem::path dir = std::filesystem::path(scenario_.file).parent_path();
  return dir.empty() ? std::string(".") : dir.string();
}

bool ScenarioRun::prepare_exec(const ExecAction& e, const Variables& vars, ProcessSpec& spec,
                               Attempt& a) {
  for (const auto& arg : e.argv) {
    auto v = render_or_error(arg, vars, "exec", a);
    if (!v) return false;
    spec.argv.push_back(std::move(*v));
  }
  if (spec.argv.empty()) {
    a.error("exec: no command");
    return false;
  }
  auto sockets = target_.socket_urls();
  if (!sockets) {
    a.error(sockets.error().message);
    return false;
  }
  const BaseUrls& urls = *sockets;
  std::map<std::string, std::string> env;
  for (const auto& entry : current_environment()) {
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  // The runner's own PISTE_* (a developer's real credentials, say) must not leak into a run
  // against the simulator.
  std::erase_if(env, [](const auto& kv) { return kv.first.starts_with("PISTE_"); });
  env["PISTE_SANDBOX_OAUTH_URL"] = urls.sandbox_oauth;
  env["PISTE_SANDBOX_API_URL"] = urls.sandbox_api;
  env["PISTE_PRODUCTION_OAUTH_URL"] = urls.production_oauth;
  env["PISTE_PRODUCTION_API_URL"] = urls.production_api;
  env["PISTESIM_CONTROL_URL"] = urls.control;
  env["PISTESIM_ADMIN_TOKEN"] = target_.admin_token();
  redactor_.add_secret(target_.admin_token());
  std::string channel = "SANDBOX";
  if (e.application) {
    auto app = render_or_error(*e.application, vars, "application", a);
    std::optional<std::string> client;
    if (app && e.client_id) client = render_or_error(*e.client_id, vars, "client_id", a);
    if (!app || (e.client_id && !client)) return false;
    auto creds = credentials(*app, client, a);
    if (!creds) return false;
    channel = creds->channel;
    env["PISTE_CLIENT_ID"] = creds->client_id;
    env["PISTE_CLIENT_SECRET"] = creds->client_secret;
    env["PISTE_API_KEY"] = creds->api_key;
    redactor_.add_secret(creds->client_secret);
  }
  bool production = channel == "PRODUCTION";
  env["PISTE_CHANNEL"] = channel;
  env["PISTE_OAUTH_URL"] = production ? urls.production_oauth : urls.sandbox_oauth;
  env["PISTE_API_URL"] = production ? urls.production_api : urls.sandbox_api;
  env["PISTE_TOKEN_URL"] = env["PISTE_OAUTH_URL"] + "/api/oauth/token";
  for (const auto& [name, value] : e.env) {
    auto v = render_or_error(value, vars, "env " + name, a);
    if (!v) return false;
    if (names_a_secret(name)) redactor_.add_secret(*v);
    env[name] = std::move(*v);
  }
  for (auto& [name, value] : env) spec.env.push_back(name + "=" + value);
  std::filesystem::path cwd =
      e.cwd.empty() ? std::filesystem::path(".") : std::filesystem::path(e.cwd);
  if (cwd.is_relative()) cwd = std::filesystem::path(scenario_dir()) / cwd;
  spec.cwd = cwd.lexically_normal().string();
  if (std::error_code ec; !std::filesystem::is_directory(spec.cwd, ec)) {
    a.error("exec: the working directory " + spec.cwd + " does not exist");
    return false;
  }
  spec.timeout_ms = e.timeout_ms > 0 ? e.timeout_ms : 60000;
  return true;
}

std::optional<Credentials> ScenarioRun::credentials(const std::string& app,
                                                    const std::optional<std::string>& client_id,
                                                    Attempt& a) {
  std::string id = percent_encode(app);
  auto get = [&](const std::string& path, const std::string& as) -> std::optional<nlohmann::json> {
    Request r;
    if (!as.empty()) r.headers.add("X-Pistesim-User", as);
    auto resp = target_.send("GET", target_.base_urls().control + path, std::move(r));
    if (!resp) {
      a.error("reading the credentials of « " + app + " »: " + resp.error().message);
      return std::nullopt;
    }
    auto j = nlohmann::json::parse(resp->body, nullptr, false);
    if (resp->status != 200 || !j.is_object()) {
      std::string code = j.is_object() ? j.value("code", "") : std::string();
      a.error("reading the credentials of « " + app + " »: GET " + path + " answered " +
              std::to_string(resp->status) + (code.empty() ? "" : " " + code));
      return std::nullopt;
    }
    return j;
  };
  auto admin_view = get("/applications/" + id, "");
  if (!admin_view) return std::nullopt;
  Credentials c;
  c.channel = admin_view->value("channel", "SANDBOX");
  std::string owner = admin_view->value("owner", "");
  for (const auto& client : admin_view->value("oauth_clients", nlohmann::json::array())) {
    std::string cid = client.value("client_id", "");
    if (!client_id || cid == *client_id) {
      c.client_id = cid;
      break;
    }
  }
  if (c.client_id.empty()) {
    a.error(client_id ? "application « " + app + " » has no OAuth client « " + *client_id + " »"
                      : "application « " + app + " » has no OAuth client");
    return std::nullopt;
  }
  if (owner.empty()) {
    a.error("application « " + app + " » has no owner to read its secret as");
    return std::nullopt;
  }
  auto portal_view = get("/portal/applications/" + id, owner);
  if (!portal_view) return std::nullopt;
  for (const auto& key : portal_view->value("api_keys", nlohmann::json::array()))
    if (key.value("enabled", false)) {
      c.api_key = key.value("key", "");
      break;
    }
  auto secret = get(
      "/portal/applications/" + id + "/oauth-clients/" + percent_encode(c.client_id) + "/secret",
      owner);
  if (!secret) return std::nullopt;
  c.client_secret = secret->value("client_secret", "");
  return c;
}

Observation ScenarioRun::observe(const ProcessResult& p) {
  Observation seen;
  seen.exit_code = p.exit_code;
  seen.stdout_text = p.stdout_text;
  seen.stderr_text = p.stderr_text;
  seen.duration_us = p.duration_us;
  return seen;
}

void ScenarioRun::judge_process(const Step& step, const ProcessResult& p, int64_t timeout_ms,
                                const Variables& vars, Attempt& a) {
  std::string out;
  if (!p.stdout_text.empty()) out += "stdout:\n" + tail(p.stdout_text);
  if (!p.stderr_text.empty()) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += "stderr:\n" + tail(p.stderr_text);
  }
  a.output = redactor_.text(out);
  if (!p.started) {
    a.error("cannot run the command: " + p.error);
    return;
  }
  if (p.timed_out) {
    a.fail("timed out after " + std::to_string(timeout_ms) + " ms (process group killed)");
    return;
  }
  if (p.cancelled) {
    a.fail("stopped before its end");
    return;
  }
  Observation seen = observe(p);
  // A command that says nothing about its exit status must succeed, as in CI.
  if (!step.expect.exit_code) {
    int code = p.exit_code.value_or(-1);
    a.assertions.push_back(
        {"exit", "equals 0",
         p.signal ? "killed by signal " + std::to_string(p.signal) : std::to_string(code),
         code == 0, step.where});
  }
  judge(step, seen, vars, a, false);
}

}  // namespace pistesim::scenario::running
