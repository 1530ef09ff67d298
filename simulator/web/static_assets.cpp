#include "web/static_assets.h"

#include <algorithm>
#include <string>

namespace pistesim {

namespace {

// The pages load nothing but this origin's files and talk to nothing else (no inline script or
// style either): what a page shows cannot run code or leak to a third party.
constexpr std::string_view kPagePolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

bool under_asset_directory(std::string_view path) {
  for (std::string_view dir : {"/portal/", "/console/", "/common/"})
    if (path.starts_with(dir)) return true;
  return false;
}

Response plain(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.headers.set("Cache-Control", "no-store");
  r.headers.set("X-Content-Type-Options", "nosniff");
  r.body = std::move(body);
  return r;
}

// Whether If-None-Match (a list of entity tags, or *) names `etag`; W/"…" counts too (RFC 9110
// §13.1.2: If-None-Match compares weakly).
bool matches(std::string_view if_none_match, std::string_view etag) {
  return if_none_match.find('*') != std::string_view::npos ||
         if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

bool is_asset_path(std::string_view path) {
  return path == "/" || path == "/console" || path == "/portal" || under_asset_directory(path);
}

const EmbeddedAsset* find_asset(std::string_view path) {
  std::string name(path);
  if (name == "/") name = "/portal/";
  if (name.ends_with('/')) name += "index.html";
  const auto& assets = embedded_assets();
  auto it =
      std::lower_bound(assets.begin(), assets.end(), name,
                       [](const EmbeddedAsset& a, const std::string& n) { return a.path < n; });
  return it != assets.end() && it->path == name ? &*it : nullptr;
}

std::optional<Response> serve_asset(const Request& request) {
  const std::string& path = request.path;
  if (path == "/console" || path == "/portal") {
    Response r = plain(301, "");
    r.headers.set("Location", path + "/");
    return r;
  }
  const EmbeddedAsset* asset = find_asset(path);
  if (!asset) {
    if (!under_asset_directory(path)) return std::nullopt;
    return plain(404, "Fichier inconnu : " + path + "\n");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    Response r = plain(405, "Méthode " + request.method + " non permise : GET, HEAD\n");
    r.headers.set("Allow", "GET, HEAD");
    return r;
  }
  Response r;
  r.headers.set("Content-Type", std::string(asset->content_type));
  r.headers.set("ETag", std::string(asset->etag));
  // Revalidated on every use (the names carry no version): a new binary's pages show at once.
  r.headers.set("Cache-Control", "no-cache");
  r.headers.set("X-Content-Type-Options", "nosniff");
  r.headers.set("Referrer-Policy", "no-referrer");
  if (asset->content_type.starts_with("text/html")) {
    r.headers.set("Content-Security-Policy", std::string(kPagePolicy));
    r.headers.set("X-Frame-Options", "DENY");
  }
  if (const std::string* tags = request.headers.find("If-None-Match");
      tags && matches(*tags, asset->etag)) {
    r.status = 304;
    return r;
  }
  r.body = std::string(asset->content);
  return r;
}

}  // namespace pistesim
