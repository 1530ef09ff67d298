// The world loader (docs/world-format.md): every mistake is reported with file:line:column and
// a message naming what was expected; several mistakes are all reported; the default world
// loads with what docs/behaviours.md WLD-1/WLD-2 promise.
#include "world/world_loader.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "crypto/password.h"
#include "support/test_simulator.h"
#include "world/default_world.h"

namespace pistesim::test {
namespace {

const std::string kDataDir = std::string(PISTESIM_SOURCE_DIR) + "/tests/data/";
constexpr const char* kMarker = "#!";  // marks the line an error must point at

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// tests/data/minimal-world.toml with `top` before it, `world` added to its [world] table and
// `tail` after it.
std::string world_text(const std::string& top, const std::string& world, const std::string& tail) {
  std::string base = read_text(kDataDir + "minimal-world.toml");
  size_t name = base.find("name = \"minimal\"\n");
  EXPECT_NE(name, std::string::npos);
  base.insert(name + std::string_view("name = \"minimal\"\n").size(), world);
  return top + base + tail;
}

using Fields = std::vector<std::pair<std::string, std::string>>;

// A table: `defaults` with `changes` applied ("-key" removes a key). The line of key `mark`
// carries the marker ("-key": the header line); no mark: the first change's key; "": none.
std::string entity(const std::string& header, Fields fields, const Fields& changes,
                   const char* mark) {
  std::string marked = mark ? mark : changes.empty() ? "" : changes.front().first;
  for (const auto& [key, value] : changes) {
    const bool remove = key.starts_with('-');
    const std::string name = remove ? key.substr(1) : key;  // clang 14 cannot capture bindings
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&name](const auto& f) { return f.first == name; });
    if (remove && it != fields.end())
      fields.erase(it);
    else if (!remove && it != fields.end())
      it->second = value;
    else if (!remove)
      fields.emplace_back(key, value);
  }
  std::string out = "\n" + header + (marked.starts_with('-') ? " #!" : "") + "\n";
  for (const auto& [key, value] : fields)
    out += key + " = " + value + (key == marked ? " #!" : "") + "\n";
  return out;
}

// One more entity of each kind, valid unless changed: API "beta", application "app2",
// user "v@example.test", organisation "o2"; sub-tables of the last API or application.
std::string api(const Fields& changes = {}, const char* mark = nullptr) {
  return entity("[[apis]]",
                {{"id", "\"beta\""},
                 {"name", "\"Beta\""},
                 {"version", "\"1\""},
                 {"channels", "[\"SANDBOX\"]"},
                 {"base_path", "\"/beta\""}},
                changes, mark);
}
std::string app(const Fields& changes = {}, const char* mark = nullptr) {
  return entity("[[applications]]",
                {{"id", "\"app2\""},
                 {"name", "\"app2\""},
                 {"channel", "\"SANDBOX\""},
                 {"organisation", "\"org\""},
                 {"owner", "\"u@example.test\""}},
                changes, mark);
}
std::string user(const Fields& changes = {}, const char* mark = nullptr) {
  return entity("[[users]]",
                {{"email", "\"v@example.test\""},
                 {"name", "\"V\""},
                 {"password", "\"p\""},
                 {"memberships", "[{ organisation = \"org\" }]"}},
                changes, mark);
}
std::string org(const Fields& changes = {}, const char* mark = nullptr) {
  return entity("[[organisations]]", {{"id", "\"o2\""}, {"name", "\"O2\""}}, changes, mark);
}
std::string cgu(const Fields& changes) {
  return entity("[[cgu]]", {{"id", "\"CGU_Beta\""}, {"title", "\"T\""}}, changes, nullptr);
}
std::string route(const Fields& changes) {
  return entity("[[apis.routes]]", {{"path", "\"/x\""}}, changes, nullptr);
}
std::string client(const Fields& changes) {
  return entity("[[applications.oauth_clients]]",
                {{"client_id", "\"c2\""}, {"client_secret", "\"s\""}}, changes, nullptr);
}
std::string key(const Fields& changes) {
  return entity("[[applications.api_keys]]", {{"key", "\"k2\""}}, changes, nullptr);
}
std::string sub(const Fields& changes = {}, const char* mark = nullptr) {
  return entity("[[applications.subscriptions]]", {{"api", "\"alpha\""}}, changes, mark);
}
std::string request(const Fields& changes = {}, const char* mark = nullptr) {
  return entity("[[access_requests]]",
                {{"id", "\"r1\""},
                 {"api", "\"alpha\""},
                 {"application", "\"app\""},
                 {"requester", "\"u@example.test\""}},
                changes, mark);
}
// A marked line (for [world], the top level, or the base's last subscription).
std::string marked(const std::string& key, const std::string& value) {
  return key + " = " + value + " #!\n";
}

struct ErrorCase {
  const char* name;
  std::string top, world, tail;
  std::string at;       // where on the marked line the error points; "": the value after " = "
  std::string message;  // a part of the expected message
};

// Line (1-based) and column of `at` on the line carrying the marker.
std::pair<int, int> marked_position(const std::string& text, const std::string& at) {
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find(kMarker) == std::string::npos) continue;
    size_t col = at.empty() ? (line.find(" = ") == std::string::npos ? 0 : line.find(" = ") + 3)
                            : line.find(at);
    EXPECT_NE(col, std::string::npos) << "'" << at << "' is not on the marked line: " << line;
    return {n, static_cast<int>(col) + 1};
  }
  ADD_FAILURE() << "no marked line in\n" << text;
  return {0, 0};
}

std::string all_errors(const WorldLoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

// Named in failure messages instead of a byte dump.
void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << c.name;
}

class WorldLoaderErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(WorldLoaderErrors, PointAtTheMistake) {
  const ErrorCase& c = GetParam();
  std::string text = world_text(c.top, c.world, c.tail);
  auto [line, column] = marked_position(text, c.at);
  WorldLoadResult r = load_world_string(text, "case.toml");
  ASSERT_FALSE(r.ok());
  bool found = false;
  for (const auto& e : r.errors) {
    if (e.message.find(c.message) == std::string::npos) continue;
    found = true;
    EXPECT_EQ(e.to_string(), "case.toml:" + std::to_string(line) + ":" + std::to_string(column) +
                                 ": " + e.message);
  }
  EXPECT_TRUE(found) << "expected \"" << c.message << "\" among:\n"
                     << all_errors(r) << "in\n"
                     << text;
}

// Errors found while reading each entity.
INSTANTIATE_TEST_SUITE_P(
    WorldReading, WorldLoaderErrors,
    ::testing::Values(
        ErrorCase{"InvalidToml", "", "", "\n[[apis] #!\nid = \"x\"\n", " #!", "invalid TOML"},
        ErrorCase{"InvalidTomlValue", "", marked("token_lifetime", "36 00"), "", "00",
                  "invalid TOML"},
        ErrorCase{"UnknownTopLevelKey", marked("colour", "\"blue\""), "", "", "colour",
                  "unknown key « colour » in the world file (top level); expected one of: world, "
                  "organisations"},
        ErrorCase{"UnknownWorldKey", "", marked("nmae", "\"x\""), "", "nmae",
                  "unknown key « nmae » in world"},
        ErrorCase{"UnknownApiKey", "", "", api({{"aproval_required", "true"}}), "aproval_required",
                  "unknown key « aproval_required » in apis[1]"},
        ErrorCase{"UnknownRouteKey", "", "", api({}, "") + route({{"stauts", "200"}}), "stauts",
                  "unknown key « stauts » in apis[1].routes[0]"},
        ErrorCase{"UnknownQuotaKey", "",
                  marked("production_quota", "{ limit = 5, window = \"1s\", burst = 2 }"), "",
                  "burst", "unknown key « burst » in world.production_quota"},
        ErrorCase{"UnknownSubscriptionKey", "", "", marked("quota_limit", "3"), "quota_limit",
                  "unknown key « quota_limit » in applications[0].subscriptions[0]"},
        ErrorCase{"UnknownClientKey", "", "", client({{"secret_hash", "\"x\""}}), "secret_hash",
                  "unknown key « secret_hash » in applications[0].oauth_clients[1]"},
        ErrorCase{"UnknownConsentKey", "", "",
                  user({{"accepted_cgu", "[{ api = \"alpha\", chanel = \"SANDBOX\" }]"}}), "chanel",
                  "unknown key « chanel » in users[1].accepted_cgu[0]"},
        ErrorCase{"StringExpected", "", marked("demo_user", "5"), "", "",
                  "« world.demo_user » must be a string, not an integer"},
        ErrorCase{"IntegerExpected", "", marked("token_lifetime", "\"3600\""), "", "",
                  "« world.token_lifetime » must be an integer from 1 to 31536000, not a string"},
        ErrorCase{"IntegerInRange", "", marked("token_lifetime", "0"), "", "",
                  "« world.token_lifetime » must be an integer from 1 to"},
        ErrorCase{"BooleanExpected", "", "", app({{"active", "\"yes\""}}), "",
                  "« applications[1].active » must be true or false, not a string"},
        ErrorCase{
            "ArrayExpected", "", "", api({{"channels", "\"SANDBOX\""}}), "",
            "« apis[1].channels » must be an array of \"SANDBOX\"/\"PRODUCTION\", not a string"},
        ErrorCase{"TableExpected", "", marked("production_quota", "20"), "", "",
                  "« world.production_quota » must be a table"},
        ErrorCase{"StringInArrayExpected", "", "", api({{"tags", "[\"a\", 2]"}}), "2]",
                  "« apis[1].tags[1] » must be a string, not an integer"},
        ErrorCase{"MissingRequiredKey", "", "", org({{"-name", ""}}), "",
                  "missing « organisations[1].name »; expected a string"},
        ErrorCase{"MissingApiBasePath", "", "", api({{"-base_path", ""}}), "",
                  "missing « apis[1].base_path »; expected a string"},
        ErrorCase{"BadId", "", "", org({{"id", "\"Bad Id\""}}), "",
                  "« organisations[1].id » must be lower-case letters, digits, '-', '_' or '.', "
                  "not \"Bad Id\""},
        ErrorCase{"BadCguId", "", "", cgu({{"id", "\"CGU Beta\""}}), "",
                  "« cgu[1].id » must be letters, digits, '-', '_' or '.', not \"CGU Beta\""},
        ErrorCase{"BadChannel", "", "", api({{"channels", "[\"SANDBOX\", \"STAGING\"]"}}),
                  "\"STAGING\"",
                  "« apis[1].channels » must be \"SANDBOX\" or \"PRODUCTION\", not \"STAGING\""},
        ErrorCase{
            "ChannelIsUpperCase", "", "", app({{"channel", "\"sandbox\""}}), "",
            "« applications[1].channel » must be \"SANDBOX\" or \"PRODUCTION\", not \"sandbox\""},
        ErrorCase{"ChannelTwice", "", "", api({{"channels", "[\"SANDBOX\", \"SANDBOX\"]"}}),
                  "\"SANDBOX\"]",
                  "« apis[1].channels » must list each channel once, not \"SANDBOX\" twice"},
        ErrorCase{"NoChannel", "", "", api({{"channels", "[]"}}), "",
                  "« apis[1].channels » must list at least one channel, not []"},
        ErrorCase{"BadQuotaWindow", "", marked("sandbox_quota", "{ limit = 5, window = \"1h\" }"),
                  "", "\"1h\"",
                  "« world.sandbox_quota.window » must be \"1s\" or \"1d\", not \"1h\""},
        ErrorCase{"QuotaLimitZero", "", marked("sandbox_quota", "{ limit = 0, window = \"1d\" }"),
                  "", "0,",
                  "« world.sandbox_quota.limit » must be an integer from 1 to 1073741823, not 0"},
        ErrorCase{"QuotaLimitTooLarge", "",
                  marked("production_quota", "{ limit = 1073741824, window = \"1s\" }"), "",
                  "1073741824",
                  "« world.production_quota.limit » must be an integer from 1 to 1073741823, not "
                  "1073741824"},
        ErrorCase{
            "QuotaWithoutWindow", "", "", marked("quota", "{ limit = 5 }"), "",
            "missing « applications[0].subscriptions[0].quota.window »; expected \"1s\" or \"1d\""},
        ErrorCase{"QuotaWithoutLimit", "", "", app({{"quota", "{ window = \"1s\" }"}}), "",
                  "missing « applications[1].quota.limit »; expected an integer from 1"},
        ErrorCase{"BadBasePath", "", "", api({{"base_path", "\"beta/v1/\""}}), "",
                  "« apis[1].base_path » must be a path starting with '/', without a trailing '/', "
                  "'//', '?', '#', '%' or spaces, not \"beta/v1/\""},
        ErrorCase{
            "BadScope", "", "", api({{"scopes", "[\"ok\", \"has space\"]"}}), "\"has space\"",
            "« apis[1].scopes » must hold scope tokens (RFC 6749 §3.3: printable ASCII except "
            "space, '\"' and '\\'), not \"has space\""},
        ErrorCase{"BadAuth", "", "", api({{"auth", "[\"oauth\", \"basic\"]"}}), "\"basic\"",
                  "« apis[1].auth » must hold \"oauth\" or \"api_key\", not \"basic\""},
        ErrorCase{"BadApprover", "", "", api({{"approvers", "[\"a@b.fr\", \"nope\"]"}}), "\"nope\"",
                  "« apis[1].approvers » must hold e-mail addresses, not \"nope\""},
        ErrorCase{"BadTechnicalAccount", "", "",
                  api({}, "") + entity("[apis.technical_account]", {{"header", "\"h\""}},
                                       {{"accounts", "[\"a:b\", \"nocolon\"]"}}, nullptr),
                  "\"nocolon\"",
                  "« apis[1].technical_account.accounts » must hold \"login:password\" pairs, not "
                  "\"nocolon\""},
        ErrorCase{"BusinessProfileWithoutBody", "", "",
                  api({}, "") + entity("[apis.business_profile]", {{"status", "200"}}, {}, "-body"),
                  "", "missing « apis[1].business_profile.body »; expected a string"},
        ErrorCase{"BadRouteMethod", "", "", api({}, "") + route({{"method", "\"FETCH\""}}), "",
                  "« apis[1].routes[0].method » must be \"GET\", \"POST\", \"PUT\", \"PATCH\", "
                  "\"DELETE\", \"HEAD\", \"OPTIONS\" or \"*\", not \"FETCH\""},
        ErrorCase{"BadRoutePath", "", "", api({}, "") + route({{"path", "\"x\""}}), "",
                  "« apis[1].routes[0].path » must be a path starting with '/', not \"x\""},
        ErrorCase{"BadRouteStatus", "", "", api({}, "") + route({{"status", "99"}}), "",
                  "« apis[1].routes[0].status » must be an integer from 100 to 599, not 99"},
        ErrorCase{"BadSubscriptionStatus", "", "", marked("status", "\"accepted\""), "",
                  "« applications[0].subscriptions[0].status » must be \"approved\", \"pending\", "
                  "\"rejected\" or \"revoked\", not \"accepted\""},
        ErrorCase{"BadEmail", "", "", user({{"email", "\"not-an-email\""}}), "",
                  "« users[1].email » must be an e-mail address, not \"not-an-email\""},
        ErrorCase{
            "BadRole", "", "",
            user({{"memberships", "[{ organisation = \"org\", role = \"boss\" }]"}}), "\"boss\"",
            "« users[1].memberships[0].role » must be \"developer\" or \"orgadmin\", not \"boss\""},
        ErrorCase{"BadApplicationName", "", "", app({{"name", "\"my app!\""}}), "",
                  "« applications[1].name » must be letters, digits, '-' and '_' only, not "
                  "\"my app!\""},
        ErrorCase{"BadClientType", "", "", client({{"type", "\"secret\""}}), "",
                  "« applications[0].oauth_clients[1].type » must be \"confidential\" or "
                  "\"public\", not \"secret\""},
        ErrorCase{"ConfidentialClientWithoutSecret", "", "", client({{"-client_secret", ""}}), "",
                  "missing « applications[0].oauth_clients[1].client_secret »; expected a string"},
        ErrorCase{"EmptyKey", "", "", key({{"key", "\"\""}}), "",
                  "« applications[0].api_keys[1].key » must be a non-empty string, not \"\""},
        // Keys of portal state (accounts, applications, access requests) and snapshots.
        ErrorCase{"EmptyCaptcha", "", marked("captcha", "\"\""), "", "",
                  "« world.captcha » must be a non-empty string"},
        ErrorCase{"UnknownActivationMail", "", marked("activation_mail", "\"2023\""), "", "",
                  "« world.activation_mail » must be \"current\" or \"legacy\", not \"2023\""},
        ErrorCase{"EmptyPlatformCguVersion", "", marked("platform_cgu_version", "\"\""), "", "",
                  "« world.platform_cgu_version » must be a non-empty string"},
        ErrorCase{"DemoPasswordWithoutDemoUser", "", marked("demo_password", "\"x\""), "", "",
                  "« world.demo_password » must come with a « world.demo_user »; there is none"},
        ErrorCase{"DemoPasswordNotTheDemoUsers", "",
                  "demo_user = \"u@example.test\"\n" + marked("demo_password", "\"q\""), "", "",
                  "« world.demo_password » must be the demo user's password; it differs from the "
                  "password of \"u@example.test\""},
        ErrorCase{"BadAppPrefix", "", "", org({{"app_prefix", "\"DI HAL\""}}), "",
                  "« organisations[1].app_prefix » must be letters, digits, '-' and '_' only, not "
                  "\"DI HAL\""},
        ErrorCase{
            "BadApiAdded", "", "", api({{"added", "\"18/10/2022\""}}), "",
            "« apis[1].added » must be an ISO 8601 date-time like \"2022-10-18T17:41:00Z\" or "
            "a date like \"2022-10-18\", not \"18/10/2022\""},
        ErrorCase{"ApiAddedWithoutSeconds", "", "", api({{"added", "\"2022-10-18T17:41Z\""}}), "",
                  "« apis[1].added » must be an ISO 8601 date-time"},
        ErrorCase{"ApiAddedNotADay", "", "", api({{"added", "\"2023-02-29\""}}), "",
                  "« apis[1].added » must be an ISO 8601 date-time"},
        ErrorCase{"TimestampOfAnotherType", "", "", user({{"registered_at", "1700000000"}}), "",
                  "« users[1].registered_at » must be an ISO 8601 date-time like "
                  "\"2022-10-18T17:41:00Z\" or a date like \"2022-10-18\", not an integer"},
        ErrorCase{"LocalDateTime", "", "", app({{"created_at", "2022-10-18T17:41:00"}}), "",
                  "« applications[1].created_at » must be a date-time with its time zone (\"Z\" or "
                  "\"+01:00\"), not a local date-time"},
        ErrorCase{
            "PasswordAndHash", "", "",
            user({{"password_hash", "\"pbkdf2-sha256$2000$c2FsdA==$aGFzaA==\""}}), "",
            "« users[1] » must give either « password » (plain) or « password_hash », not both"},
        ErrorCase{"NoPassword", "", "", user({{"-password", ""}}, "-password"), "[[users]]",
                  "missing « users[1].password »; expected a string (or « password_hash »)"},
        ErrorCase{"BadPasswordHash", "", "",
                  user({{"-password", ""}, {"password_hash", "\"Secret-2024!\""}}, "password_hash"),
                  "", "« users[1].password_hash » must be a hash as pistesim writes it"},
        ErrorCase{"EmptyResetToken", "", "", user({{"reset_token", "\"\""}}), "",
                  "« users[1].reset_token » must be a non-empty string"},
        ErrorCase{"MustChangePasswordNotABoolean", "", "",
                  user({{"must_change_password", "\"yes\""}}), "",
                  "« users[1].must_change_password » must be true or false, not a string"},
        ErrorCase{"UnknownUserKey", "", "", user({{"password_hsh", "\"x\""}}), "password_hsh",
                  "unknown key « password_hsh » in users[1]"},
        ErrorCase{"BadOrigin", "", "", app({{"origin", "\"imported\""}}), "",
                  "« applications[1].origin » must be \"created\", \"auto_sandbox\" or "
                  "\"enrolment\", not \"imported\""},
        ErrorCase{"EmailNameOfACreatedApplication", "", "",
                  app({{"name", "\"APP_ORG_SBX_u@example.test\""}}), "",
                  "« applications[1].name » must be letters, digits, '-' and '_' only, not "
                  "\"APP_ORG_SBX_u@example.test\""},
        ErrorCase{"HttpCallbackUrl", "", "",
                  client({{"callback_urls", "[\"https://ok.test/cb\", \"http://bad.test/cb\"]"}}),
                  "\"http://bad.test/cb\"",
                  "« applications[0].oauth_clients[1].callback_urls » must hold https:// URLs "
                  "(APP-6), not \"http://bad.test/cb\""},
        ErrorCase{"ClientCreatedAtNotADate", "", "", client({{"created_at", "\"yesterday\""}}), "",
                  "« applications[0].oauth_clients[1].created_at » must be an ISO 8601"},
        ErrorCase{"UnknownKeyKey", "", "", key({{"created", "\"2024-01-01\""}}), "created",
                  "unknown key « created » in applications[0].api_keys[1]"},
        ErrorCase{"UnknownAccessRequestKey", "", "", request({{"motive", "\"x\""}}), "motive",
                  "unknown key « motive » in access_requests[0]; expected one of: id, api"},
        ErrorCase{
            "BadAccessRequestId", "", "", request({{"id", "\"R 1\""}}), "",
            "« access_requests[0].id » must be lower-case letters, digits, '-', '_' or '.', not "
            "\"R 1\""},
        ErrorCase{"AccessRequestWithoutApplication", "", "",
                  request({{"-application", ""}}, "-application"), "[[access_requests]]",
                  "missing « access_requests[0].application »; expected a string"},
        ErrorCase{"BadAccessRequestStatus", "", "", request({{"status", "\"accepted\""}}), "",
                  "« access_requests[0].status » must be \"pending\", \"approved\" or "
                  "\"rejected\", not \"accepted\""},
        ErrorCase{"BadRequester", "", "", request({{"requester", "\"nobody\""}}), "",
                  "« access_requests[0].requester » must be an e-mail address, not \"nobody\""},
        ErrorCase{"BadDecider", "", "", request({{"decided_by", "\"boss\""}}), "",
                  "« access_requests[0].decided_by » must be an e-mail address"},
        ErrorCase{"BadRequestedAt", "", "", request({{"requested_at", "\"2024-01-18T25:00:00Z\""}}),
                  "",
                  "« access_requests[0].requested_at » must be an ISO 8601 date-time like "
                  "\"2022-10-18T17:41:00Z\" or a date like \"2022-10-18\", not "
                  "\"2024-01-18T25:00:00Z\""}),
    [](const auto& info) { return std::string(info.param.name); });

// Errors found once every entity is read: uniqueness and references.
INSTANTIATE_TEST_SUITE_P(
    WorldCrossChecks, WorldLoaderErrors,
    ::testing::Values(
        ErrorCase{"DuplicateOrganisationId", "", "", org({{"id", "\"org\""}}), "",
                  "« organisations[1].id » must be unique; \"org\" is already the id of another "
                  "organisation"},
        ErrorCase{"DuplicateOrganisationCode", "", "", org({{"code", "\"c0de\""}}), "",
                  "« organisations[1].code » must be unique; \"c0de\" is already the code of "
                  "another organisation"},
        ErrorCase{"TwoUniversalOrganisations", "", "",
                  org({{"id", "\"o3\""}, {"universal", "true"}}, "") + org({{"universal", "true"}}),
                  "",
                  "« organisations[2].universal » must be true for one organisation at most; "
                  "another one is universal already"},
        ErrorCase{
            "DuplicateCguId", "", "", cgu({{"id", "\"CGU_Alpha\""}}), "",
            "« cgu[1].id » must be unique; \"CGU_Alpha\" is already the id of another [[cgu]]"},
        ErrorCase{"DuplicateApiId", "", "", api({{"id", "\"alpha\""}}), "",
                  "« apis[1].id » must be unique; \"alpha\" is already the id of another API"},
        ErrorCase{"DuplicateEmailIgnoringCase", "", "", user({{"email", "\"U@Example.TEST\""}}), "",
                  "« users[1].email » must be unique; \"U@Example.TEST\" is already registered"},
        ErrorCase{"DuplicateApplicationId", "", "", app({{"id", "\"app\""}}), "",
                  "« applications[1].id » must be unique; \"app\" is already the id of another "
                  "application"},
        ErrorCase{"DuplicateApplicationName", "", "", app({{"name", "\"app\""}}), "",
                  "« applications[1].name » must be unique; \"app\" is already the name of "
                  "another application"},
        ErrorCase{"DuplicateClientId", "", "",
                  app({}, "") + client({{"client_id", "\"client-1\""}}), "",
                  "« applications[1].oauth_clients[0].client_id » must be unique; \"client-1\" is "
                  "already the id of another client"},
        ErrorCase{"DuplicateApiKey", "", "",
                  app({{"channel", "\"PRODUCTION\""}}, "") + key({{"key", "\"key-1\""}}), "",
                  "« applications[1].api_keys[0].key » must be unique; \"key-1\" is already "
                  "another key's"},
        ErrorCase{"DuplicateBasePath", "", "", api({{"base_path", "\"/alpha/v1\""}}), "",
                  "« apis[1].base_path » must not overlap the base path of another API on SANDBOX; "
                  "\"/alpha/v1\" overlaps \"/alpha/v1\" of API \"alpha\""},
        ErrorCase{"NestedBasePath", "", "", api({{"base_path", "\"/alpha/v1/beta\""}}), "",
                  "« apis[1].base_path » must not overlap the base path of another API on SANDBOX; "
                  "\"/alpha/v1/beta\" overlaps \"/alpha/v1\" of API \"alpha\""},
        ErrorCase{"EnclosingBasePath", "", "", api({{"base_path", "\"/alpha\""}}), "",
                  "« apis[1].base_path » must not overlap the base path of another API on SANDBOX; "
                  "\"/alpha\" overlaps \"/alpha/v1\" of API \"alpha\""},
        ErrorCase{"DanglingCgu", "", "", api({{"cgu", "\"CGU_Nope\""}}), "",
                  "« apis[1].cgu » must be the id of a [[cgu]]; no [[cgu]] has id \"CGU_Nope\""},
        ErrorCase{
            "DanglingApiOrganisation", "", "", api({{"organisations", "[\"org\", \"nope\"]"}}),
            "\"nope\"",
            "« apis[1].organisations » must hold ids of organisations; no organisation has id "
            "\"nope\""},
        ErrorCase{"DanglingApplicationOrganisation", "", "", app({{"organisation", "\"nope\""}}),
                  "",
                  "« applications[1].organisation » must be the id of an organisation; no "
                  "organisation has id \"nope\""},
        ErrorCase{"DanglingOwner", "", "", app({{"owner", "\"nobody@example.test\""}}), "",
                  "« applications[1].owner » must be the e-mail of a [[users]]; no [[users]] has "
                  "e-mail \"nobody@example.test\""},
        ErrorCase{"OwnerNotAMember", "", "",
                  org({}, "") + app({{"organisation", "\"o2\""}}, "owner"), "",
                  "« applications[1].owner » must be a member of the application's organisation "
                  "\"o2\"; \"u@example.test\" is not"},
        ErrorCase{
            "DanglingSubscriptionApi", "", "", sub({{"api", "\"nope\""}}), "",
            "« applications[0].subscriptions[1].api » must be the id of an API; no API has id "
            "\"nope\""},
        ErrorCase{"SubscriptionListedTwice", "", "", sub({}, "api"), "",
                  "« applications[0].subscriptions[1].api » must name each API once; API \"alpha\" "
                  "is listed twice"},
        ErrorCase{
            "SubscriptionOffChannel", "", "",
            app({{"channel", "\"PRODUCTION\""}}, "") + sub({}, "api"), "",
            "« applications[1].subscriptions[0].api » must be an API published on PRODUCTION, "
            "the application's channel; API \"alpha\" is not"},
        ErrorCase{"SubscriptionScopeNotOfTheApi", "", "",
                  app({}, "") + sub({{"scopes", "[\"alpha.read\", \"beta.read\"]"}}),
                  "\"beta.read\"",
                  "« applications[1].subscriptions[0].scopes » must hold scopes of API \"alpha\"; "
                  "\"beta.read\" is not one"},
        ErrorCase{"DanglingBusinessProfile", "", "",
                  app({{"business_profiles", "[\"alpha\", \"nope\"]"}}), "\"nope\"",
                  "« applications[1].business_profiles » must hold ids of APIs; no API has id "
                  "\"nope\""},
        ErrorCase{"DanglingDemoUser", "", marked("demo_user", "\"nobody@example.test\""), "", "",
                  "« world.demo_user » must be the e-mail of a [[users]]; no [[users]] has e-mail "
                  "\"nobody@example.test\""},
        ErrorCase{"DanglingMembership", "", "",
                  user({{"memberships", "[{ organisation = \"nope\" }]"}}), "\"nope\"",
                  "« users[1].memberships[0].organisation » must be the id of an organisation; no "
                  "organisation has id \"nope\""},
        ErrorCase{"DanglingAcceptedCgu", "", "",
                  user({{"accepted_cgu", "[{ api = \"nope\", channel = \"SANDBOX\" }]"}}),
                  "\"nope\"",
                  "« users[1].accepted_cgu[0].api » must be the id of an API; no API has id "
                  "\"nope\""},
        ErrorCase{
            "AcceptedCguOfAnApiWithoutCgu", "", "",
            api({}, "") + user({{"accepted_cgu", "[{ api = \"beta\", channel = \"SANDBOX\" }]"}}),
            "\"beta\"",
            "« users[1].accepted_cgu[0].api » must be an API with a CGU to accept; API "
            "\"beta\" has none"},
        ErrorCase{
            "DuplicateActivationToken", "", "",
            user({{"activation_token", "\"tok\""}}, "") +
                user({{"email", "\"w@example.test\""}, {"reset_token", "\"tok\""}}, "reset_token"),
            "",
            "« users[2].reset_token » must be unique; it is already a token of user "
            "\"v@example.test\""},
        ErrorCase{"DanglingAccessRequestApi", "", "", request({{"api", "\"nope\""}}), "",
                  "« access_requests[0].api » must be the id of an API; no API has id \"nope\""},
        ErrorCase{"DanglingAccessRequestApplication", "", "",
                  request({{"application", "\"nope\""}}), "",
                  "« access_requests[0].application » must be the id of an application; no "
                  "application has id \"nope\""},
        ErrorCase{"AccessRequestScopeNotOfTheApi", "", "",
                  request({{"scopes", "[\"alpha.read\", \"beta.read\"]"}}), "\"beta.read\"",
                  "« access_requests[0].scopes » must hold scopes of API \"alpha\"; \"beta.read\" "
                  "is not one"},
        ErrorCase{"DuplicateAccessRequestId", "", "", request({}, "") + request({}, "id"), "",
                  "« access_requests[1].id » must be unique; \"r1\" is already the id of another "
                  "access request"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(WorldLoader, SameBasePathOnAnotherChannelIsFine) {
  WorldLoadResult r = load_world_string(
      world_text("", "", api({{"channels", "[\"PRODUCTION\"]"}, {"base_path", "\"/alpha/v1\""}})),
      "w.toml");
  EXPECT_TRUE(r.ok()) << all_errors(r);
  // A sibling path that shares a prefix but not a segment does not overlap either.
  r = load_world_string(world_text("", "", api({{"base_path", "\"/alpha/v10\""}})), "w.toml");
  EXPECT_TRUE(r.ok()) << all_errors(r);
}

TEST(WorldLoader, MissingWorldTableAndName) {
  WorldLoadResult none =
      load_world_string("[[organisations]]\nid = \"o\"\nname = \"O\"\n", "w.toml");
  ASSERT_EQ(none.errors.size(), 1u) << all_errors(none);
  EXPECT_NE(none.errors[0].message.find("missing the [world] table"), std::string::npos);
  EXPECT_GE(none.errors[0].line, 1);
  EXPECT_GE(none.errors[0].column, 1);

  WorldLoadResult nameless = load_world_string("[world]\ndemo_user = \"\"\n", "w.toml");
  ASSERT_FALSE(nameless.ok());
  EXPECT_EQ(nameless.errors[0].to_string(),
            "w.toml:1:1: missing « world.name »; expected a string");
}

TEST(WorldLoader, EveryMistakeIsReportedInFileOrder) {
  const std::string tail = api({{"id", "\"Beta\""},
                                {"channels", "[\"STAGING\"]"},
                                {"base_path", "\"beta\""},
                                {"colour", "1"}},
                               "") +
                           app({{"-channel", ""}, {"active", "1"}}, "");
  WorldLoadResult r = load_world_string(world_text("", "token_lifetime = -1\n", tail), "w.toml");
  const char* parts[] = {"world.token_lifetime",   "apis[1].id",
                         "apis[1].channels",       "apis[1].base_path",
                         "unknown key « colour »", "missing « applications[1].channel »",
                         "applications[1].active"};
  ASSERT_EQ(r.errors.size(), std::size(parts)) << all_errors(r);
  for (size_t i = 0; i < r.errors.size(); ++i) {
    EXPECT_NE(r.errors[i].message.find(parts[i]), std::string::npos) << r.errors[i].to_string();
    if (i > 0) {
      EXPECT_GT(r.errors[i].line, r.errors[i - 1].line);
    }
  }
}

TEST(WorldLoader, EveryCrossReferenceMistakeIsReported) {
  const std::string tail =
      user({{"email", "\"U@EXAMPLE.test\""}}, "") +
      api({{"base_path", "\"/alpha/v1/x\""}, {"cgu", "\"nope\""}}, "") +
      app({{"id", "\"app\""}, {"name", "\"app\""}, {"channel", "\"PRODUCTION\""}}, "") +
      sub({}, "");
  WorldLoadResult r = load_world_string(world_text("", "demo_user = \"x@y.z\"\n", tail), "w.toml");
  const char* parts[] = {"world.demo_user",
                         "already registered",
                         "overlaps",
                         "apis[1].cgu",
                         "applications[1].id",
                         "applications[1].name",
                         "must be an API published on PRODUCTION"};
  EXPECT_EQ(r.errors.size(), std::size(parts)) << all_errors(r);
  for (const char* p : parts) {
    SCOPED_TRACE(p);
    EXPECT_EQ(
        std::count_if(r.errors.begin(), r.errors.end(),
                      [&](const WorldError& e) { return e.message.find(p) != std::string::npos; }),
        1)
        << all_errors(r);
  }
}

// --- Portal state and timestamps ---------------------------------------------------------------

TEST(WorldLoader, ReadsEveryKeyOfThePortalState) {
  WorldLoadResult r = load_world_file(kDataDir + "full-world.toml");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const World& w = r.world;
  EXPECT_EQ(w.settings.platform_cgu_version, "3");
  EXPECT_EQ(w.settings.captcha, "PISTE-42");
  EXPECT_EQ(w.settings.activation_mail, "legacy");
  EXPECT_EQ(w.settings.demo_password, "Demo-Full-2024!");
  EXPECT_EQ(w.organisations[1].app_prefix, "DIHAL_X");
  EXPECT_EQ(enrolment_prefix(w.organisations[1]), "DIHAL_X");
  // The three forms of an instant: date-time string, date string, TOML date-time with offset.
  EXPECT_EQ(w.apis[0].added_at, 1666114860000);  // 2022-10-18T17:41:00Z
  EXPECT_EQ(w.apis[1].added_at, 1672617600000);  // 2023-01-02T00:00:00Z
  EXPECT_EQ(w.apis[2].added_at, 1711845000250);  // 2024-03-31T00:30:00.250Z
  const User& demo = w.users[0];
  EXPECT_TRUE(verify_password(demo.password_hash, "Demo-Full-2024!"));
  EXPECT_EQ(demo.platform_cgu_version, "3");     // absent: the version in force
  EXPECT_EQ(demo.registered_at, 1705311000000);  // 2024-01-15T09:30:00Z
  const User& pending = w.users[1];
  EXPECT_TRUE(verify_password(pending.password_hash, "Pending-Full-2024!"));
  EXPECT_FALSE(pending.active);
  EXPECT_EQ(pending.activation_token, "act-0123456789");
  EXPECT_EQ(pending.platform_cgu_version, "");
  EXPECT_EQ(pending.registered_at, 1706745600000);  // TOML date 2024-02-01
  const User& reset = w.users[2];
  EXPECT_EQ(reset.reset_token, "reset-9876543210");
  EXPECT_EQ(reset.reset_expires_at, 1706778900000);  // 2024-02-01T09:15:00Z
  EXPECT_TRUE(reset.must_change_password);
  EXPECT_EQ(reset.platform_cgu_version, "2");
  EXPECT_EQ(w.applications[0].origin, ApplicationOrigin::AutoSandbox);
  EXPECT_EQ(w.applications[0].created_at, 1705311060500);
  EXPECT_EQ(w.applications[1].origin, ApplicationOrigin::Enrolment);
  EXPECT_EQ(w.applications[1].name, "APP_DIHAL_X_SBX_demo@full.test");
  const Application& prod = w.applications[2];
  EXPECT_EQ(prod.origin, ApplicationOrigin::Created);
  EXPECT_EQ(prod.phone, "+33 1 23 45 67 89");
  EXPECT_EQ(prod.structure_info, "SIRET 13001070900025");
  EXPECT_EQ(prod.responsible, "Jeanne Exemple");
  EXPECT_EQ(prod.oauth_clients[0].callback_urls,
            (std::vector<std::string>{"https://app.full.test/cb", "https://app.full.test/cb2"}));
  EXPECT_EQ(prod.oauth_clients[0].x509, "MIIBszCCAVmgAwIBAgIUQ2VydA==");
  EXPECT_EQ(prod.oauth_clients[0].created_at, 1705402801000);
  EXPECT_EQ(prod.oauth_clients[1].type, ClientType::Public);
  EXPECT_EQ(prod.api_keys[0].created_at, 1705402802000);
  EXPECT_FALSE(prod.api_keys[0].enabled);
  ASSERT_EQ(w.access_requests.size(), 3u);
  const AccessRequest& rejected = w.access_requests[2];
  EXPECT_EQ(rejected.id, "req-rejected");
  EXPECT_EQ(rejected.api, "alpha");
  EXPECT_EQ(rejected.application, "prod");
  EXPECT_EQ(rejected.requester, "demo@full.test");
  EXPECT_EQ(rejected.motif, "Test");
  EXPECT_EQ(rejected.status, RequestStatus::Rejected);
  EXPECT_EQ(rejected.requested_at, 1704880800000);
  EXPECT_EQ(rejected.decided_at, 1704967200000);
  EXPECT_EQ(rejected.decided_by, "approver@full.test");
  EXPECT_EQ(rejected.decision_message, "Motif insuffisant :\n« préciser l'usage »");
  EXPECT_EQ(w.access_requests[0].status, RequestStatus::Pending);
  EXPECT_EQ(strings_of(w.access_requests[0].scopes), std::vector<std::string>{"alpha.read"});
  EXPECT_EQ(w.access_requests[1].status, RequestStatus::Approved);
}

TEST(WorldLoader, AbsentPortalKeysTakeTheirDefaults) {
  WorldLoadResult r = load_world_file(kDataDir + "minimal-world.toml");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const World& w = r.world;
  EXPECT_EQ(w.settings.platform_cgu_version, "1");
  EXPECT_EQ(w.settings.captcha, "PISTE");
  EXPECT_EQ(w.settings.demo_password, "");
  EXPECT_EQ(w.users[0].platform_cgu_version, "1");
  EXPECT_TRUE(verify_password(w.users[0].password_hash, "p"));
  EXPECT_EQ(w.applications[0].origin, ApplicationOrigin::Created);
  EXPECT_TRUE(w.access_requests.empty());
  // The demo user's plain password is the demo password, unless [world] says the same.
  r = load_world_string(world_text("", "demo_user = \"u@example.test\"\n", ""), "w.toml");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.world.settings.demo_password, "p");
  r = load_world_string(
      world_text("", "demo_user = \"u@example.test\"\ndemo_password = \"p\"\n", ""), "w.toml");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.world.settings.demo_password, "p");
}

TEST(WorldLoader, EnrolmentNamesCarryTheEmail) {
  WorldLoadResult r = load_world_string(
      world_text("", "",
                 app({{"name", "\"APP_ORG_SBX_u+x@example.test\""}, {"origin", "\"enrolment\""}})),
      "w.toml");
  EXPECT_TRUE(r.ok()) << all_errors(r);
}

struct TimestampCase {
  const char* text;
  std::optional<Millis> expected;
};

TEST(WorldTimestamp, ParsesIso8601Strictly) {
  const TimestampCase cases[] = {
      {"2022-10-18T17:41:00Z", 1666114860000},
      {"2022-10-18", 1666051200000},
      {"1970-01-01T00:00:00Z", 0},
      {"2022-10-18T17:41:00.1Z", 1666114860100},
      {"2022-10-18T17:41:00.12Z", 1666114860120},
      {"2022-10-18T17:41:00.123Z", 1666114860123},
      {"2022-10-18T19:41:00+02:00", 1666114860000},
      {"2022-10-18T16:11:00-01:30", 1666114860000},
      {"2024-02-29", 1709164800000},
      {"2000-02-29", 951782400000},
      {"9999-12-31T23:59:59.999Z", 253402300799999},
      {"2022-10-18T17:41:00.1234Z", std::nullopt},
      {"2022-10-18T17:41:00.Z", std::nullopt},
      {"2022-10-18T17:41Z", std::nullopt},
      {"2022-10-18T17:41:00", std::nullopt},
      {"2022-10-18t17:41:00Z", std::nullopt},
      {"2022-10-18 17:41:00Z", std::nullopt},
      {"2022-10-18T17:41:00z", std::nullopt},
      {"2022-10-18T24:00:00Z", std::nullopt},
      {"2022-10-18T23:60:00Z", std::nullopt},
      {"2022-10-18T23:59:60Z", std::nullopt},
      {"2022-10-18T17:41:00+2:00", std::nullopt},
      {"2022-10-18T17:41:00+0200", std::nullopt},
      {"2022-10-18T17:41:00+24:00", std::nullopt},
      {"2023-02-29", std::nullopt},
      {"1900-02-29", std::nullopt},
      {"2022-13-01", std::nullopt},
      {"2022-00-01", std::nullopt},
      {"2022-04-31", std::nullopt},
      {"2022-10-1", std::nullopt},
      {"22-10-18", std::nullopt},
      {" 2022-10-18", std::nullopt},
      {"2022-10-18Z", std::nullopt},
      {"2022-10-18T17:41:00Z ", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_world_timestamp(c.text), c.expected) << c.text;
}

// --- Files -----------------------------------------------------------------------------------

TEST(WorldLoader, LoadsAFile) {
  WorldLoadResult r = load_world_file(kDataDir + "minimal-world.toml");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.world.settings.name, "minimal");
  EXPECT_EQ(r.world.settings.token_lifetime_s, 3600);
  EXPECT_EQ(r.world.settings.production_quota, (QuotaSpec{20, QuotaWindow::Second}));
  EXPECT_EQ(r.world.settings.sandbox_quota, (QuotaSpec{1000000, QuotaWindow::Day}));
  ASSERT_EQ(r.world.apis.size(), 1u);
  const Api& api = r.world.apis[0];
  EXPECT_TRUE(api.oauth_allowed);
  EXPECT_FALSE(api.api_key_allowed);
  ASSERT_EQ(api.routes.size(), 1u);
  EXPECT_EQ(api.routes[0].method, "GET");
  EXPECT_EQ(api.routes[0].answer.status, 200);
  EXPECT_EQ(api.routes[0].answer.content_type, "text/plain");
  ASSERT_EQ(r.world.applications.size(), 1u);
  const Application& app = r.world.applications[0];
  EXPECT_TRUE(app.active);
  ASSERT_EQ(app.subscriptions.size(), 1u);
  EXPECT_EQ(app.subscriptions[0].status, SubscriptionStatus::Approved);
  EXPECT_TRUE(app.subscriptions[0].scopes.empty());
  EXPECT_EQ(app.oauth_clients[0].type, ClientType::Confidential);
}

TEST(WorldLoader, ErrorsInAFileNameThatFile) {
  const std::string path = kDataDir + "bad-world.toml";
  WorldLoadResult r = load_world_file(path);
  // bad-world.toml: bad id (line 6), channel (13), base path (14), scope (15), misspelt key (16).
  std::vector<int> lines;
  for (const auto& e : r.errors) {
    EXPECT_TRUE(e.to_string().starts_with(path + ":" + std::to_string(e.line) + ":" +
                                          std::to_string(e.column) + ": "));
    EXPECT_GE(e.column, 1);
    lines.push_back(e.line);
  }
  EXPECT_EQ(lines, (std::vector<int>{6, 13, 14, 15, 16})) << all_errors(r);
}

// A file that cannot be read says which and why, with no made-up position (issue 17: "0:0").
TEST(WorldLoader, AnUnreadableFileIsAnError) {
  const std::pair<std::string, std::string> cases[] = {
      {kDataDir + "no-such-world.toml", "cannot open: No such file or directory"},
      {kDataDir, "cannot open: it is a directory"}};
  for (const auto& [path, why] : cases) {
    SCOPED_TRACE(path);
    WorldLoadResult r = load_world_file(path);
    ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
    EXPECT_EQ(r.errors[0].file, path);
    EXPECT_EQ(r.errors[0].to_string(), path + ": " + why);
  }
}

// --- The default world (WLD-1, WLD-2) -------------------------------------------------------

TEST(WorldDefault, LoadsWithTheSeededContent) {
  WorldLoadResult r = load_default_world();
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const World& w = r.world;
  WorldIndex index(w);
  EXPECT_EQ(w.apis.size(), 29u);
  EXPECT_EQ(w.organisations.size(), 5u);
  EXPECT_EQ(w.settings.token_lifetime_s, 3600);
  EXPECT_EQ(w.settings.production_quota, (QuotaSpec{20, QuotaWindow::Second}));
  EXPECT_EQ(w.settings.sandbox_quota, (QuotaSpec{1000000, QuotaWindow::Day}));
  ASSERT_NE(index.organisation("mtes"), nullptr);
  EXPECT_EQ(index.organisation("mtes")->code, "984b19");
  const std::pair<const char*, const char*> base_paths[] = {
      {"legifrance", "/dila/legifrance/lf-engine-app"}, {"judilibre", "/cassation/judilibre/v1.0"},
      {"cpro-factures", "/cpro/factures/v1"},           {"cpro-structures", "/cpro/structures/v1"},
      {"cpro-transverses", "/cpro/transverses/v1"},     {"sne-cotation", "/mtes/sne-cotation/v1.0"},
      {"carte-achat", "/chorus/v1/carteachat"}};
  for (const auto& [id, path] : base_paths) {
    ASSERT_NE(index.api(id), nullptr) << id;
    EXPECT_EQ(index.api(id)->base_path, path);
  }
  EXPECT_TRUE(index.api("judilibre")->api_key_allowed);
  EXPECT_TRUE(index.api("carte-achat")->has_scope("chorus.carteachat"));
  EXPECT_TRUE(index.api("carte-achat")->has_scope("cnf"));
}

TEST(WorldDefault, HoldsTheDemoCredentials) {
  WorldLoadResult r = load_default_world();
  ASSERT_TRUE(r.ok());
  WorldIndex index(r.world);
  ASSERT_NE(index.user(r.world.settings.demo_user), nullptr);
  EXPECT_TRUE(index.user("DEMO@pistesim.test")->active);
  struct Demo {
    Channel channel;
    const char* client_id;
    const char* secret;
    const char* key;
    const char* app;
  };
  for (const auto& d :
       {Demo{Channel::Sandbox, kSandboxClientId, kSandboxClientSecret, kSandboxApiKey, kSandboxApp},
        Demo{Channel::Production, kProductionClientId, kProductionClientSecret, kProductionApiKey,
             kProductionApp}}) {
    SCOPED_TRACE(d.app);
    auto client = index.client(d.channel, d.client_id);
    ASSERT_TRUE(client.has_value());
    EXPECT_EQ(client->application->id, d.app);
    EXPECT_EQ(client->client->client_secret, d.secret);
    EXPECT_EQ(client->application->owner, r.world.settings.demo_user);
    auto key = index.api_key(d.channel, d.key);
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(key->application->id, d.app);
    // OAU-4: credentials belong to their channel only.
    Channel other = d.channel == Channel::Sandbox ? Channel::Production : Channel::Sandbox;
    EXPECT_FALSE(index.client(other, d.client_id).has_value());
  }
}

TEST(WorldDefault, TheEmbeddedWorldIsTheFixture) {
  EXPECT_EQ(default_world_text(),
            read_text(std::string(PISTESIM_SOURCE_DIR) + "/fixtures/piste-default.toml"));
  EXPECT_TRUE(load_world(std::string(PISTESIM_SOURCE_DIR) + "/fixtures/piste-default.toml").ok());
  EXPECT_EQ(load_world("").world.apis.size(), 29u);
}

}  // namespace
}  // namespace pistesim::test

namespace pistesim {
namespace {

// One run of `world check` reports every mistake: a field error in one entry does not hide a
// dangling reference in another.
TEST(WorldLoader, ReportsReferenceErrorsAlongsideFieldErrors) {
  const char* text = R"([world]
name = "two kinds of mistakes"

[[organisations]]
id = "o"
name = "O"
code = 42

[[users]]
email = "u@example.test"
name = "U"
password = "x"
memberships = [{ organisation = "nowhere" }]
)";
  WorldLoadResult r = load_world_string(text, "w.toml");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].to_string().substr(0, 9), "w.toml:7:") << r.errors[0].to_string();
  EXPECT_NE(r.errors[0].message.find("« organisations[0].code » must be a string, not an integer"),
            std::string::npos)
      << r.errors[0].message;
  EXPECT_EQ(r.errors[1].to_string().substr(0, 10), "w.toml:13:") << r.errors[1].to_string();
  EXPECT_NE(r.errors[1].message.find("« users[0].memberships[0].organisation » must be the id of "
                                     "an organisation; no organisation has id \"nowhere\""),
            std::string::npos)
      << r.errors[1].message;
}

// Checks that speak of two places report like the others: file:line:column of the field that
// refers, the field in « », the rule, and why the value breaks it.
TEST(WorldLoader, ReferenceErrorsNameFileLineColumnAndTheRule) {
  const char* text = R"([world]
name = "w"

[[organisations]]
id = "o"
name = "O"

[[apis]]
id = "a"
name = "A"
version = "1"
channels = ["SANDBOX"]
base_path = "/a"
organisations = ["o", "nowhere"]

[[apis]]
id = "a"
name = "B"
version = "1"
channels = ["SANDBOX"]
base_path = "/b"
)";
  WorldLoadResult r = load_world_string(text, "w.toml");
  ASSERT_EQ(r.errors.size(), 2u) << test::all_errors(r);
  EXPECT_EQ(r.errors[0].to_string(),
            "w.toml:14:23: « apis[0].organisations » must hold ids of organisations; no "
            "organisation has id \"nowhere\"");
  EXPECT_EQ(r.errors[1].to_string(),
            "w.toml:17:6: « apis[1].id » must be unique; \"a\" is already the id of another API");
}

}  // namespace
}  // namespace pistesim

namespace pistesim {
namespace {

// Issue 20: an approver must be able to log in and decide, and a pending access must have the
// request that awaits that approver; a state the simulator saved itself may break both (operator
// levers), so saved states load without these two rules.
TEST(WorldConsistency, ApproversHaveAccountsAndPendingAccessesTheirRequests) {
  std::string text(default_world_text());
  text.replace(text.find("approvers = [\"approbateur.ingres@pistesim.test\"]"),
               std::string("approvers = [\"approbateur.ingres@pistesim.test\"]").size(),
               "approvers = [\"nobody@pistesim.test\"]");
  const std::string pending = "status = \"pending\"\nrequested_at = \"2024-03-15T09:00:00Z\"";
  text.replace(text.find(pending), pending.size(),
               "status = \"rejected\"\nrequested_at = \"2024-03-15T09:00:00Z\"");
  WorldLoadResult r = load_world_string(text, "w.toml");
  ASSERT_EQ(r.errors.size(), 2u) << (r.errors.empty() ? "" : r.errors[0].to_string());
  EXPECT_NE(r.errors[0].message.find("« apis[23].approvers » must hold e-mails of [[users]]"),
            std::string::npos)
      << r.errors[0].to_string();
  EXPECT_NE(r.errors[0].message.find("\"nobody@pistesim.test\""), std::string::npos);
  EXPECT_GT(r.errors[0].line, 0);
  EXPECT_GT(r.errors[0].column, 1);
  EXPECT_NE(r.errors[1].message.find("« applications[0].subscriptions[7].status » must be "
                                     "\"pending\" only with a pending [[access_requests]]"),
            std::string::npos)
      << r.errors[1].to_string();
  EXPECT_TRUE(load_world_string(text, "saved", WorldChecks::Saved).ok());
}

}  // namespace
}  // namespace pistesim

namespace pistesim {
namespace {

// 000 §11.2 shows « Enregistré le » for each user: the seeded ones have a date too.
TEST(WorldDefault, SeededUsersHaveARegistrationDate) {
  WorldLoadResult r = load_default_world();
  ASSERT_TRUE(r.ok());
  for (const auto& u : r.world.users) EXPECT_NE(u.registered_at, 0) << u.email;
}

}  // namespace
}  // namespace pistesim
