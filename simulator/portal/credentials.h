// An application's credentials (APP-6, APP-7, 000 §7.3–§7.6): API keys generated, enabled,
// disabled or deleted; OAuth clients of type confidential or public with their callback URLs
// (one per line, HTTPS only, optional for the client-credentials flow) and an optional Base64
// X.509 certificate; per client: modify, disable, delete, view the secret, regenerate it — the old
// secret is refused at once.
//
// Choices the seeds are silent on (also in docs/control-api.md):
// - Only who may manage the application (applications.h) sees or changes its credentials.
// - Callback URLs: absolute https:// URLs with a host, no fragment (RFC 6749 §3.1.2), no white
//   space, 2000 characters at most; duplicates are kept once.
// - X.509: a certificate in Base64 DER, PEM armour (-----BEGIN CERTIFICATE-----) and line breaks
//   allowed; it must parse as an X.509 certificate. It is stored as one Base64 line.
// - A client's type is chosen at creation and cannot change. A public client has no secret: the
//   token endpoint answers it `unauthorized_client` (no secret) or `invalid_client` (a secret),
//   as RFC 6749 §4.4 reserves client_credentials to confidential clients.
// - Disabling, deleting a client or regenerating its secret leaves the tokens it already holds
//   valid until they expire: the seeds only say the old secret stops working.
// - The last API key or OAuth client of an application can be deleted (000 §7.2 shows
//   applications with none).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/portal_error.h"
#include "portal/transaction.h"
#include "world/world.h"

namespace pistesim {

// 000 §7.5, quoted.
inline constexpr std::string_view kCallbackRuleMessage =
    "Une URL de rappel par ligne, veuillez utiliser uniquement du HTTPS.";
inline constexpr size_t kMaxCallbackUrl = 2000;

// Splits a « one URL per line » text into its non-empty trimmed lines.
std::vector<std::string> callback_lines(std::string_view text);
// Checks every URL (HTTPS only); returns them trimmed and deduplicated.
PortalResult<std::vector<std::string>> check_callback_urls(const std::vector<std::string>& urls);
// Checks a Base64 (or PEM) X.509 certificate; returns its Base64 DER on one line ("" for "").
PortalResult<std::string> check_x509(std::string_view text);

// --- API keys (000 §7.4) -------------------------------------------------------------------

PortalResult<ApiKey> generate_api_key(Transaction& tx, std::string_view actor,
                                      std::string_view app);
PortalResult<ApiKey> set_api_key_enabled(Transaction& tx, std::string_view actor,
                                         std::string_view app, std::string_view key, bool enabled);
PortalResult<Done> delete_api_key(Transaction& tx, std::string_view actor, std::string_view app,
                                  std::string_view key);

// --- OAuth clients (000 §7.5, §7.6) --------------------------------------------------------

struct NewOAuthClient {
  ClientType type = ClientType::Confidential;
  std::vector<std::string> callback_urls;
  std::string x509;
};

PortalResult<OAuthClient> generate_oauth_client(Transaction& tx, std::string_view actor,
                                                std::string_view app, const NewOAuthClient& in);

struct OAuthClientChanges {
  std::optional<std::vector<std::string>> callback_urls;
  std::optional<std::string> x509;  // "" removes it
  std::optional<bool> enabled;
};

PortalResult<OAuthClient> update_oauth_client(Transaction& tx, std::string_view actor,
                                              std::string_view app, std::string_view client_id,
                                              const OAuthClientChanges& changes);
PortalResult<Done> delete_oauth_client(Transaction& tx, std::string_view actor,
                                       std::string_view app, std::string_view client_id);

// « Consulter le secret ». NO_SECRET for a public client.
PortalResult<std::string> oauth_client_secret(const World& world, std::string_view actor,
                                              std::string_view app, std::string_view client_id);
// « Régénérer » (APP-7): a new secret; the old one is refused from the next token request on.
// Returns the client with its new secret.
PortalResult<OAuthClient> regenerate_client_secret(Transaction& tx, std::string_view actor,
                                                   std::string_view app,
                                                   std::string_view client_id);

}  // namespace pistesim
