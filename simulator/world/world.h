// The PISTE domain: organisations, API CGU, APIs with their mock providers, users and
// applications with their credentials and subscriptions. A World is a plain value; the
// simulator publishes immutable snapshots of it (core/simulator.h) and readers never lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/interned.h"
#include "base/position_table.h"
#include "base/string_map.h"
#include "clock/clock.h"
#include "wire/http_message.h"

namespace pistesim {

enum class Channel : uint8_t { Sandbox = 0, Production = 1 };
inline constexpr Channel kChannels[] = {Channel::Sandbox, Channel::Production};
std::string_view to_string(Channel c);  // "SANDBOX" / "PRODUCTION"
std::optional<Channel> parse_channel(std::string_view s);

enum class QuotaWindow : uint8_t { Second, Day };
struct QuotaSpec {
  int64_t limit = 0;
  QuotaWindow window = QuotaWindow::Second;
  bool operator==(const QuotaSpec&) const = default;
};
std::string to_string(const QuotaSpec& q);  // "20/1s"
std::string_view to_string(QuotaWindow w);  // "1s" / "1d"
std::optional<QuotaWindow> parse_quota_window(std::string_view s);
// The largest limit a quota window can count (the counter packs the count in 30 bits).
inline constexpr int64_t kMaxQuotaLimit = (int64_t{1} << 30) - 1;

struct Organisation {
  std::string id;
  std::string name;
  std::string code;
  bool universal = false;
  // Enrolment names the user's applications APP_<app_prefix>_SBX_<email> / _PROD_ (002 §5:
  // APP_DIHAL_SBX_…). Empty: derived from the name (enrolment_prefix()).
  std::string app_prefix;

  bool operator==(const Organisation&) const = default;
};
// "SERVICE-DIHAL" -> "DIHAL" unless the organisation sets app_prefix.
std::string enrolment_prefix(const Organisation& o);

struct Cgu {
  std::string id;
  std::string title;
  std::string version = "1";

  bool operator==(const Cgu&) const = default;
};

// A canned provider answer.
struct ProviderAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<Header> headers;

  bool operator==(const ProviderAnswer&) const = default;
};

struct ProviderRoute {
  std::string method = "GET";  // "*" = any
  std::string path;            // resource path after the base path
  bool prefix = false;         // declared as "path/*"
  std::vector<std::string> requires_query;
  std::vector<std::string> requires_json;
  ProviderAnswer answer;

  bool operator==(const ProviderRoute&) const = default;
};

// A header the provider checks itself (Chorus Pro's cpro-account, WIRE-10).
struct TechnicalAccountCheck {
  std::string header;
  // "login:password" accepted whatever the calling application. Without any (from_structures),
  // the accounts are those of the world's Chorus Pro structures, and each call must come from an
  // application that the account's structure connected (its « raccordement », 003/004).
  std::vector<std::string> accounts;
  bool from_structures = false;
  ProviderAnswer missing;
  ProviderAnswer invalid;
  ProviderAnswer not_connected;  // from_structures: no raccordement names the caller

  bool operator==(const TechnicalAccountCheck&) const = default;
};

struct Api {
  std::string id;
  std::string name;
  std::string version;
  std::string description;
  std::vector<std::string> tags;
  std::vector<Channel> channels;
  std::string base_path;
  std::vector<Interned> scopes;
  std::string cgu;  // empty: no CGU
  bool approval_required = false;
  std::vector<std::string> approvers;
  std::vector<std::string> organisations;  // empty: public catalogue
  bool oauth_allowed = true;
  bool api_key_allowed = false;
  std::optional<QuotaSpec> quota;
  std::string health;
  std::optional<ProviderAnswer> business_profile_gate;
  std::optional<TechnicalAccountCheck> technical_account;
  std::vector<ProviderRoute> routes;
  Millis added_at = 0;  // « Added » on the API sheet (CAT-2)

  bool published_on(Channel c) const;
  bool has_scope(std::string_view scope) const;

  bool operator==(const Api&) const = default;
};

enum class Role : uint8_t { Developer, OrgAdmin };
std::string_view to_string(Role r);  // "developer" / "orgadmin"

struct Membership {
  std::string organisation;
  Role role = Role::Developer;

  bool operator==(const Membership&) const = default;
};

struct CguConsent {
  std::string api;
  Channel channel = Channel::Sandbox;
  bool operator==(const CguConsent&) const = default;
};

struct User {
  std::string email;
  std::string name;
  std::string password_hash;  // crypto/password.h; never the password itself
  // Can log in. False while awaiting activation (activation_token set) or when deactivated by an
  // OrgAdmin (ADM-2); both give the single ACC-4 message.
  bool active = true;
  std::string activation_token;  // secret of the e-mailed activation link (ACC-3)
  std::string reset_token;       // secret of the e-mailed reset confirmation link (ACC-8)
  Millis reset_expires_at = 0;
  bool must_change_password = false;  // temporary password (ACC-8, ADM-2)
  std::string platform_cgu_version;   // version of the PISTE CGU accepted ("" = none, ACC-5)
  Millis registered_at = 0;
  std::vector<Membership> memberships;
  std::vector<CguConsent> accepted_cgu;
  bool opt_in_news = false;  // « informations de PISTE »: also gates decision e-mails (NOT-2)
  bool opt_in_surveys = false;

  bool has_accepted_cgu(std::string_view api, Channel c) const;
  const Membership* membership(std::string_view organisation) const;
  bool is_orgadmin_of(std::string_view organisation) const;

  bool operator==(const User&) const = default;
};

enum class ClientType : uint8_t { Confidential, Public };

std::string_view to_string(ClientType t);  // "confidential" / "public"
std::optional<ClientType> parse_client_type(std::string_view s);

struct OAuthClient {
  std::string client_id;
  std::string client_secret;
  ClientType type = ClientType::Confidential;
  bool enabled = true;
  std::vector<std::string> callback_urls;  // HTTPS only (APP-6)
  std::string x509;                        // Base64 X.509 certificate, optional
  Millis created_at = 0;

  bool operator==(const OAuthClient&) const = default;
};

struct ApiKey {
  std::string key;
  bool enabled = true;
  Millis created_at = 0;

  bool operator==(const ApiKey&) const = default;
};

enum class SubscriptionStatus : uint8_t { Approved, Pending, Rejected, Revoked };
std::string_view to_string(SubscriptionStatus s);
std::optional<SubscriptionStatus> parse_subscription_status(std::string_view s);

// An application's access to one API. Also carries the application's per-API quota counter.
struct Subscription {
  Interned api;
  SubscriptionStatus status = SubscriptionStatus::Approved;
  uint32_t quota_slot = 0;  // assigned by the simulator when the world is installed
  std::vector<Interned> scopes;
  std::optional<QuotaSpec> quota;

  bool operator==(const Subscription&) const = default;
};

// How an application came to be: created by its owner (production, APP-3), by PISTE when the
// account was activated (APP_SANDBOX_<email>, APP-1), or by an enrolment (APP_<ORG>_…, ADM-1).
enum class ApplicationOrigin : uint8_t { Created, AutoSandbox, Enrolment };
std::string_view to_string(ApplicationOrigin o);  // "created" / "auto_sandbox" / "enrolment"
std::optional<ApplicationOrigin> parse_application_origin(std::string_view s);

struct Application {
  std::string id;
  std::string name;
  std::string description;
  // Values that repeat across a fleet's applications are interned (base/interned.h).
  Interned organisation;
  Interned owner;  // user e-mail
  Interned email;  // contact e-mail (not verified; quota e-mails go there)
  Interned phone;
  Interned structure_info;  // « Information sur la structure » (SIRET, « Autre »)
  Interned responsible;     // « Responsable d'application »
  Channel channel = Channel::Sandbox;
  ApplicationOrigin origin = ApplicationOrigin::Created;
  bool active = true;
  uint32_t quota_slot = 0;  // application-wide counter, assigned by the simulator
  Millis created_at = 0;
  std::optional<QuotaSpec> quota;
  std::vector<Interned> business_profiles;
  std::vector<OAuthClient> oauth_clients;
  std::vector<ApiKey> api_keys;
  std::vector<Subscription> subscriptions;

  const Subscription* subscription(std::string_view api) const;
  Subscription* subscription(std::string_view api);
  bool has_business_profile(std::string_view api) const;

  bool operator==(const Application&) const = default;
};

// An access request (REQ-1..7): it replaced the application's access to the API at submission.
enum class RequestStatus : uint8_t { Pending, Approved, Rejected };
std::string_view to_string(RequestStatus s);  // "pending" / "approved" / "rejected"
std::optional<RequestStatus> parse_request_status(std::string_view s);

struct AccessRequest {
  std::string id;
  std::string api;
  std::string application;
  std::string requester;  // e-mail of the user who submitted it
  std::string motif;
  std::vector<Interned> scopes;
  RequestStatus status = RequestStatus::Pending;
  Millis requested_at = 0;
  Millis decided_at = 0;
  std::string decided_by;
  std::string decision_message;  // the approver's message (required for a rejection)

  bool operator==(const AccessRequest&) const = default;
};

// Chorus Pro's side of a connection (003 §2.B, §3.B; 004), kept by Chorus Pro, not PISTE: a
// structure (SIRET) declares a « raccordement PISTE » per environment naming a PISTE application,
// then gets technical accounts; only then do API calls for it succeed. Chorus Pro's
// Qualification environment is reached through PISTE's SANDBOX, its Production through
// PRODUCTION, so environments are spelt as channels here and "QUALIFICATION" / "PRODUCTION" in
// files and the control API.
std::string_view cpro_environment_name(Channel c);  // "QUALIFICATION" / "PRODUCTION"
std::optional<Channel> parse_cpro_environment(std::string_view s);

struct CproContact {
  std::string name;
  std::string phone;
  std::string email;
  std::string fax;
  bool operator==(const CproContact&) const = default;
};

struct CproRaccordement {
  std::string id;
  Channel environment = Channel::Sandbox;
  std::string application;  // the PISTE application's name, as typed in Chorus Pro's form
  std::string usage_type;   // « Type d'utilisation »
  std::string editor;       // « Editeur / solution »
  CproContact technical_contact;
  bool active = true;
  Millis declared_at = 0;
  bool operator==(const CproRaccordement&) const = default;
};

struct CproTechnicalAccount {
  std::string login;
  std::string password;
  Channel environment = Channel::Sandbox;
  bool active = true;
  Millis created_at = 0;
  bool operator==(const CproTechnicalAccount&) const = default;
};

struct CproStructure {
  std::string siret;  // 14 digits: the structure's identifier
  std::string name;
  std::vector<CproRaccordement> raccordements;
  std::vector<CproTechnicalAccount> technical_accounts;
  bool operator==(const CproStructure&) const = default;
};

struct WorldSettings {
  std::string name;
  std::string demo_user;
  std::string demo_password;  // the demo user's password as the fixture gives it (printed by serve)
  std::string platform_cgu_version = "1";  // the current PISTE CGU; a new one asks again (ACC-5)
  std::string captcha = "PISTE";           // the value the registration captcha accepts (ACC-1)
  // Which activation e-mail registration sends (ACC-3): "current" (PISTE's, as 002 shows it) or
  // "legacy" (the older text 001 quotes).
  std::string activation_mail = "current";
  int64_t token_lifetime_s = 3600;
  QuotaSpec production_quota{20, QuotaWindow::Second};
  QuotaSpec sandbox_quota{1000000, QuotaWindow::Day};

  bool operator==(const WorldSettings&) const = default;
};

// Field-for-field equality (a world loaded back from its snapshot equals the original). Note that
// quota_slot takes part: compare worlds as loaded, before a simulator assigns counters.
struct World {
  WorldSettings settings;
  std::vector<Organisation> organisations;
  std::vector<Cgu> cgus;
  std::vector<Api> apis;
  std::vector<User> users;
  std::vector<Application> applications;
  std::vector<AccessRequest> access_requests;
  std::vector<CproStructure> cpro_structures;

  bool operator==(const World&) const = default;
};

// Read-only lookups over one World value, built once per published snapshot. Pointers stay
// valid, and keys refer into it, as long as the World they were built from is neither modified
// nor destroyed.
class WorldIndex {
 public:
  explicit WorldIndex(const World& world);

  const Api* api(std::string_view id) const;
  // The API of that channel whose base path is the longest segment-wise prefix of path;
  // rest receives the resource path after the base path ("" or starting with '/').
  const Api* route(Channel c, std::string_view path, std::string_view* rest) const;
  const Application* application(std::string_view id) const;
  const User* user(std::string_view email) const;  // case-insensitive
  const Organisation* organisation(std::string_view id) const;

  struct ClientRef {
    const Application* application;
    const OAuthClient* client;
  };
  // OAuth clients of applications of that channel only (OAU-4).
  std::optional<ClientRef> client(Channel c, std::string_view client_id) const;
  struct KeyRef {
    const Application* application;
    const ApiKey* key;
  };
  std::optional<KeyRef> api_key(Channel c, std::string_view key) const;

 private:
  // Keyed by views into the indexed world, which outlives its index (both live in one
  // WorldSnapshot). Applications, clients and keys, one to several per application, sit in
  // 8-byte slots of (application, item) positions: unordered_map nodes cost 200 bytes an
  // application.
  template <class T>
  using Map = std::unordered_map<std::string_view, T, StringHash, std::equal_to<>>;
  const World& world_;
  Map<const Api*> apis_;
  Map<const Api*> routes_[2];
  PositionTable applications_;
  StringMap<const User*> users_;  // lower-cased e-mails: copies
  Map<const Organisation*> organisations_;
  PositionTable clients_[2];
  PositionTable keys_[2];
};

// Lower-cases ASCII letters (e-mails compare case-insensitively).
std::string ascii_lower(std::string_view s);

}  // namespace pistesim
