#include "portal/credentials.h"

#include <openssl/x509.h>

#include <algorithm>

#include "base/text.h"
#include "crypto/secrets.h"
#include "portal/actor.h"
#include "portal/application_factory.h"
#include "portal/applications.h"
#include "wire/encoding.h"

namespace pistesim {

namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

PortalError bad_callback(std::string_view code, std::string message, const std::string& url) {
  return portal_error(ErrorKind::InvalidInput, std::string(code), std::move(message),
                      "callback_urls", {url});
}

PortalResult<Done> check_callback_url(const std::string& url) {
  if (url.size() > kMaxCallbackUrl)
    return bad_callback("INVALID_CALLBACK_URL",
                        "Une URL de rappel ne peut dépasser " + std::to_string(kMaxCallbackUrl) +
                            " caractères. " + std::string(kCallbackRuleMessage),
                        url);
  for (unsigned char c : url)
    if (c <= 0x20 || c == 0x7F)
      return bad_callback(
          "INVALID_CALLBACK_URL",
          "Une URL de rappel ne peut contenir d'espace. " + std::string(kCallbackRuleMessage), url);
  if (!starts_with_nocase(url, "https://")) {
    // An http:// URL, or anything else that is not HTTPS.
    bool http = starts_with_nocase(url, "http://");
    return bad_callback(http ? "CALLBACK_URL_NOT_HTTPS" : "INVALID_CALLBACK_URL",
                        (http ? "L'URL de rappel « " + url + " » n'utilise pas HTTPS. "
                              : "« " + url + " » n'est pas une URL absolue HTTPS. ") +
                            std::string(kCallbackRuleMessage),
                        url);
  }
  std::string_view rest = std::string_view(url).substr(8);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view host = authority.substr(authority.rfind('@') + 1);  // npos + 1 == 0
  if (host.starts_with('['))
    host = host.substr(0, host.find(']') + 1);
  else
    host = host.substr(0, host.find(':'));
  if (host.empty() || host == "[]")
    return bad_callback(
        "INVALID_CALLBACK_URL",
        "L'URL de rappel « " + url + " » n'a pas d'hôte. " + std::string(kCallbackRuleMessage),
        url);
  if (url.find('#') != std::string::npos)
    return bad_callback("INVALID_CALLBACK_URL",
                        "Une URL de rappel ne peut contenir de fragment (#) : « " + url + " ». " +
                            std::string(kCallbackRuleMessage),
                        url);
  return Done{};
}

PortalError bad_x509(std::string message) {
  return portal_error(ErrorKind::InvalidInput, "INVALID_X509", std::move(message), "x509");
}

ApiKey* find_key(Application& app, std::string_view key) {
  for (auto& k : app.api_keys)
    if (k.key == key) return &k;
  return nullptr;
}

OAuthClient* find_client(Application& app, std::string_view id) {
  for (auto& c : app.oauth_clients)
    if (c.client_id == id) return &c;
  return nullptr;
}

PortalError unknown_key(std::string_view key) {
  return portal_error(ErrorKind::NotFound, "UNKNOWN_API_KEY",
                      "API Key inconnue : " + std::string(key), "key");
}

PortalError unknown_client(std::string_view id) {
  return portal_error(ErrorKind::NotFound, "UNKNOWN_CLIENT",
                      "Identifiant OAuth inconnu : " + std::string(id), "client_id");
}

PortalError no_secret(std::string_view id) {
  return portal_error(
      ErrorKind::Conflict, "NO_SECRET",
      "Le client OAuth " + std::string(id) + " est de type public : il n'a pas de secret.",
      "client_id");
}

}  // namespace

std::vector<std::string> callback_lines(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line = clean_field(text.substr(pos, nl - pos));
    if (!line.empty()) out.push_back(std::move(line));
    pos = nl + 1;
  }
  return out;
}

PortalResult<std::vector<std::string>> check_callback_urls(const std::vector<std::string>& urls) {
  std::vector<std::string> out;
  for (const auto& raw : urls) {
    std::string url = clean_field(raw);
    if (url.empty()) continue;
    if (auto r = check_callback_url(url); !r.ok()) return r.error();
    if (std::find(out.begin(), out.end(), url) == out.end()) out.push_back(std::move(url));
  }
  return out;
}

PortalResult<std::string> check_x509(std::string_view text) {
  // Drop the PEM armour lines, then every white space the paste brought.
  std::string base64;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line = clean_field(text.substr(pos, nl - pos));
    pos = nl + 1;
    if (line.starts_with("-----")) continue;
    for (char c : line)
      if (c != ' ' && c != '\t' && c != '\r') base64 += c;
  }
  if (base64.empty()) return std::string();
  auto der = base64_decode(base64);
  if (!der || der->empty())
    return bad_x509(
        "Veuillez coller le contenu d'un certificat X.509 public codé en Base64 : le texte "
        "fourni n'est pas du Base64 valide.");
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der->size()));
  const bool whole = cert && p == reinterpret_cast<const unsigned char*>(der->data()) + der->size();
  X509_free(cert);
  if (!whole)
    return bad_x509(
        "Veuillez coller le contenu d'un certificat X.509 public codé en Base64 : le contenu "
        "fourni n'est pas un certificat X.509.");
  return base64;
}

PortalResult<ApiKey> generate_api_key(Transaction& tx, std::string_view actor,
                                      std::string_view id) {
  auto app = managed_application(tx, actor, id);
  if (!app) return app.error();
  (*app)->api_keys.push_back(new_api_key(tx.now));
  return (*app)->api_keys.back();
}

PortalResult<ApiKey> set_api_key_enabled(Transaction& tx, std::string_view actor,
                                         std::string_view id, std::string_view key, bool enabled) {
  auto app = managed_application(tx, actor, id);
  if (!app) return app.error();
  ApiKey* k = find_key(**app, key);
  if (!k) return unknown_key(key);
  k->enabled = enabled;
  return *k;
}

PortalResult<Done> delete_api_key(Transaction& tx, std::string_view actor, std::string_view id,
                                  std::string_view key) {
  auto app = managed_application(tx, actor, id);
  if (!app) return app.error();
  if (!find_key(**app, key)) return unknown_key(key);
  std::erase_if((*app)->api_keys, [&](const ApiKey& k) { return k.key == key; });
  return Done{};
}

PortalResult<OAuthClient> generate_oauth_client(Transaction& tx, std::string_view actor,
                                                std::string_view id, const NewOAuthClient& in) {
  auto app = managed_application(tx, actor, id);
  if (!app) return app.error();
  auto urls = check_callback_urls(in.callback_urls);
  if (!urls) return urls.error();
  auto x509 = check_x509(in.x509);
  if (!x509) return x509.error();
  OAuthClient client = new_oauth_client(tx.now, in.type);
  client.callback_urls = std::move(*urls);
  client.x509 = std::move(*x509);
  (*app)->oauth_clients.push_back(client);
  return client;
}

PortalResult<OAuthClient> update_oauth_client(Transaction& tx, std::string_view actor,
                                              std::string_view id, std::string_view client_id,
                                              const OAuthClientChanges& changes) {
  auto app = managed_application(tx, actor, id);
  if (!app) return app.error();
  OAuthClient* client = find_client(**app, client_id);
  if (!client) return unknown_client(client_id);
  OAuthClient next = *client;
  if (changes.callback_urls) {
    auto urls = check_callback_urls(*changes.callback_urls);
    if (!urls) return urls.error();
    next.callback_urls = std::move(*urls);
  }
  if (changes.x509) {
    auto x509 = check_x509(*changes.x509);
    if (!x509) return x509.error();
    next.x509 = std::move(*x509);
  }
  if (changes.enabled) next.enabled = *changes.enabled;
  *client = next;
  return next;
}

PortalResult<Done> delete_oauth_client(Transaction& tx, std::string_view actor, std::string_view id,
                                       std::string_view client_id) {
  auto app = managed_application(tx, actor, id);
  if (!app) return app.error();
  if (!find_client(**app, client_id)) return unknown_client(client_id);
  std::erase_if((*app)->oauth_clients,
                [&](const OAuthClient& c) { return c.client_id == client_id; });
  return Done{};
}

PortalResult<std::string> oauth_client_secret(const World& world, std::string_view actor,
                                              std::string_view id, std::string_view client_id) {
  auto app = view_application(world, actor, id);
  if (!app) return app.error();
  for (const auto& c : (*app)->oauth_clients) {
    if (c.client_id != client_id) continue;
    if (c.type == ClientType::Public || c.client_secret.empty()) return no_secret(client_id);
    return c.client_secret;
  }
  return unknown_client(client_id);
}

PortalResult<OAuthClient> regenerate_client_secret(Transaction& tx, std::string_view actor,
                                                   std::string_view id,
                                                   std::string_view client_id) {
  auto app = managed_application(tx, actor, id);
  if (!app) return app.error();
  OAuthClient* client = find_client(**app, client_id);
  if (!client) return unknown_client(client_id);
  if (client->type == ClientType::Public) return no_secret(client_id);
  std::string fresh;
  do {
    fresh = random_uuid();
  } while (constant_time_equals(fresh, client->client_secret));
  client->client_secret = std::move(fresh);
  return *client;
}

}  // namespace pistesim
