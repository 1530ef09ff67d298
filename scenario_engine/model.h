// The scenario model: what a scenario file (scenarios/*.toml, docs/scenarios.md) says, once
// loaded and checked. The loader (loader.h) builds it; the runner (runner.h) executes it.
// Strings that may hold {{templates}} are kept as written and rendered when their step runs,
// because captures made by earlier steps feed later ones.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace pistesim::scenario {

// Where something was written: every error and every failed step points back here.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string to_string() const;  // "scenarios/x.toml:12:3"
};

// A value in a request body or an expectation, as written in TOML (strings may hold
// templates). JSON is the carrier because it has every TOML type but dates.
using Value = nlohmann::json;

// ---- Expectations ---------------------------------------------------------------------------

// One comparison of a value seen against what the author expects.
struct Matcher {
  enum class Op {
    Equals,    // exact (after rendering); for JSON values, typed equality
    Contains,  // substring, or array element
    Matches,   // ECMAScript regex, searched
    Exists,    // `expected` is true or false
    Count,     // number of JSONPath matches, or array length
    OneOf,     // `expected` is an array of allowed values
    Min,       // numeric lower bound
    Max,       // numeric upper bound
  };
  Op op = Op::Equals;
  Value expected;
  bool negate = false;  // written `not_equals`, `not_contains`, `not_matches`
  SourceLocation where;
};

// `expect.status`: one code, a list, or a class such as "2xx".
struct StatusExpectation {
  std::vector<int> codes;
  std::vector<int> classes;  // 2 for "2xx"
  SourceLocation where;
};

struct HeaderExpectation {
  std::string name;  // compared case-insensitively
  std::vector<Matcher> matchers;
};

struct JsonPathExpectation {
  std::string path;  // "$.access_token", "$.apis[*].api", "$..scope"
  std::vector<Matcher> matchers;
};

// Judgements of what a client did, read from the simulator's request journal (journal.h).
// Each is optional; an absent one is not checked. docs/scenarios.md defines each precisely.
struct ClientExpectations {
  std::optional<Matcher> token_requests;  // number of token requests (Min/Max/Equals)
  std::optional<Matcher> api_calls;       // number of API calls
  // No new token fetched while the previous one was still valid and not rejected (WIRE-12).
  std::optional<bool> reuses_tokens;
  // After a 401 invalid_token, exactly one token request before the next API call, and no
  // endless loop: at most `reauth_limit` consecutive 401s.
  std::optional<bool> reauthenticates_once;
  // After a 429: the next call waits at least this long (ms), or the Retry-After if longer.
  std::optional<int64_t> backoff_after_429_ms;
  std::optional<bool> no_credentials_in_query;
  std::optional<bool> single_auth_method;  // never Basic and body together (RFC 6749 §2.3)
  std::optional<bool> no_retry_after_400;  // a 400 is permanent: the same request is not resent
  // Tokens renewed at most this long before expiry (ms): early refresh beyond it is waste.
  std::optional<int64_t> refresh_window_ms;
  SourceLocation where;
};

struct Expectations {
  std::optional<StatusExpectation> status;
  std::vector<HeaderExpectation> headers;
  std::vector<Matcher> body;  // raw body text
  std::vector<JsonPathExpectation> json;
  std::optional<Matcher> duration_ms;  // the exchange's wall time
  // exec steps
  std::optional<Matcher> exit_code;
  std::vector<Matcher> stdout_text;
  std::vector<Matcher> stderr_text;
  // journal steps
  std::optional<ClientExpectations> client;
  bool empty() const;
};

// ---- Captures -------------------------------------------------------------------------------

struct Capture {
  enum class Source { JsonPath, Header, Regex, Status, Body, Stdout, ExitCode };
  std::string variable;
  Source source = Source::JsonPath;
  std::string expression;  // JSONPath, header name, or regex (group 1 if any, else the match)
  std::string regex_input = "body";     // Regex: "body", "header:<name>", "stdout"
  std::optional<std::string> fallback;  // used when nothing matches; otherwise the step fails
  SourceLocation where;
};

// ---- Steps ----------------------------------------------------------------------------------

// An HTTP request to a PISTE endpoint (or any URL): `request = "POST {{sandbox_oauth}}/…"`.
struct HttpAction {
  std::string method;
  std::string url;  // template; the four base URLs are variables (docs/scenarios.md)
  std::vector<std::pair<std::string, std::string>> headers;  // templates; repeats kept
  enum class BodyKind { None, Form, Json, Raw };
  BodyKind body_kind = BodyKind::None;
  std::vector<std::pair<std::string, std::string>> form;     // templates, in written order
  Value json;                                                // strings are templates
  std::string raw;                                           // template
  std::optional<std::pair<std::string, std::string>> basic;  // user, password (templates)
  std::optional<std::string> bearer;                         // template
};

// A control-API call (portal, administration, operator levers): `control = "POST /portal/…"`,
// the path relative to /__pistesim. `as` acts as that user (X-Pistesim-User), `session` with a
// login session (X-Pistesim-Session).
struct ControlAction {
  std::string method;
  std::string path;  // template
  Value json;        // null: no body
  std::optional<std::string> as_user;
  std::optional<std::string> session;
};

// Reads the newest e-mail matching `to` / `kind` / `subject` (templates) from the mailbox; the
// step's "response" is that e-mail as JSON (id, kind, to, subject, body, links).
struct MailAction {
  std::optional<std::string> to;
  std::optional<std::string> kind;
  std::optional<std::string> subject_contains;
  // GET the first link whose label or URL contains this text; the step's response is then the
  // link's answer (an activation, a password reset).
  std::optional<std::string> follow;
};

struct ClockAction {
  std::string advance;  // "3601s", "1h30m", or "to 23:59:59" (Europe/Paris wall clock); template
};

// Arms a fault (POST /faults): kind respond | drop_connection | expire_token, for `count` calls
// after the first `after` matching ones (a mid-run fault, deterministically).
struct FaultAction {
  Value spec;          // the control API's body; strings are templates
  bool clear = false;  // `fault = "clear"`: disarm every fault
};

// Sets or removes a quota (PUT/DELETE /applications/{id}/quota).
struct QuotaAction {
  std::string application;  // template
  std::optional<std::string> api;
  std::optional<int64_t> limit;  // absent: remove the override
  std::string window = "1s";
};

// Runs an external command — an integrator's client or test suite — with PISTE_* variables
// pointing at the simulator and the credentials of `application` (docs/scenarios.md).
struct ExecAction {
  std::vector<std::string> argv;           // templates; a string in the file runs through `sh -c`
  std::map<std::string, std::string> env;  // extra variables (templates)
  std::optional<std::string> application;  // whose client id / secret / API key to expose
  std::optional<std::string> client_id;    // which of its OAuth clients (default: the first)
  std::string cwd;                         // relative to the scenario file's directory
  int64_t timeout_ms = 60000;
  // Runs in the background: the following steps run meanwhile (rotate a secret once the
  // client has made some calls, revoke its access…), and a `wait` step joins it and judges it.
  bool background = false;
};

// Waits for a background exec step (by name) to end, then checks that step's expectations.
struct WaitAction {
  std::string step;
};

// Judges the client from the journal: the entries since `since` (a mark, or the scenario's
// start), filtered; the step's expectations are in Expectations::client.
struct JournalAction {
  std::optional<std::string> since;  // mark name
  std::optional<std::string> until;  // mark name
  std::optional<std::string> application;
  std::optional<std::string> client_id;
  std::optional<std::string> kind;  // "token" | "api"
};

// Remembers the journal's position under a name (`mark = "client-start"`).
struct MarkAction {
  std::string name;
};

// Real time passes (a client's backoff, a provider's latency): `sleep = "500ms"`.
struct SleepAction {
  std::string duration;
};

// POST /world/reset: back to the scenario's starting world.
struct ResetAction {};

using Action =
    std::variant<HttpAction, ControlAction, MailAction, ClockAction, FaultAction, QuotaAction,
                 ExecAction, WaitAction, JournalAction, MarkAction, SleepAction, ResetAction>;
std::string_view action_name(const Action& a);  // "request", "control", "mail", …

// Runs the step again until its expectations hold or the deadline passes.
struct Retry {
  int64_t deadline_ms = 0;
  int64_t interval_ms = 200;
};

struct Step {
  std::string name;  // given, or derived from the action ("POST /api/oauth/token")
  SourceLocation where;
  Action action;
  Expectations expect;
  std::vector<Capture> captures;
  std::optional<Retry> retry;
  // Loop: the step runs once per row, the row's keys as variables (`for_each = "clients"`
  // names a data table, or an inline array of tables).
  std::vector<std::map<std::string, Value>> rows;
  std::optional<std::string> skip;  // reason
  bool only = false;
  // `when = { seen = 405 }`: the step runs only when each variable's value is one of those listed
  // (as text); otherwise it is skipped, saying what the variable held.
  std::vector<std::pair<std::string, std::vector<std::string>>> when;
  // Set from the file `use = "lib/x.toml"` came from, for error messages.
  std::vector<SourceLocation> included_from;
};

struct Scenario {
  std::string file;  // as given to the loader
  std::string name;
  std::string description;
  std::vector<std::string> tags;
  std::vector<std::string> covers;  // behaviour IDs (docs/behaviours.md, or the user's): "ACC-1"
  // The world it starts from: "default", or a world file (path resolved against the scenario
  // file's directory). Ignored for remote targets, which are reset to their own world.
  std::string world = "default";
  std::map<std::string, Value> vars;  // initial variables (strings are templates)
  std::map<std::string, std::vector<std::map<std::string, Value>>> tables;  // data tables
  std::vector<Step> steps;
  std::optional<std::string> skip;  // reason
  bool only = false;
  SourceLocation where;  // the file, line 1
  // Tables a tool reads beside the steps, as JSON: "conformance" ([conformance]: a check's id,
  // level, source, needs and profiles, read by conformance/). The runner ignores them.
  std::map<std::string, Value> meta;
};

}  // namespace pistesim::scenario
