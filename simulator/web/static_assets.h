// The portal's and the console's pages (web/ in the source tree), compiled into the binary by
// cmake/embed_assets.cmake and served by `pistesim serve` where no PISTE endpoint answers: the
// portal at /, the simulator console at /console/.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "wire/http_message.h"

namespace pistesim {

struct EmbeddedAsset {
  std::string_view path;          // URL path: "/portal/index.html"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view etag;          // quoted: "\"3f2a…\""
  std::string_view content;
};

// Every file of web/, sorted by path (generated).
const std::vector<EmbeddedAsset>& embedded_assets();

// The asset a URL path names: "/" is the portal's index.html, a path ending in '/' its
// directory's index.html; only exact names of the table match (no file system, so no
// traversal). nullptr for none.
const EmbeddedAsset* find_asset(std::string_view path);

// Whether `path` is one of the pages' (/, /portal…, /console…, /common/…): what --no-control
// turns off with the control API they run on.
bool is_asset_path(std::string_view path);

// The answer for a request no PISTE endpoint took: the asset (200, or 304 for a matching
// If-None-Match), a redirect from "/console" to "/console/", 405 for a method other than GET or
// HEAD on an asset, 404 for an unknown name under /portal/, /console/ or /common/; nullopt for
// any other path (the caller answers its 404).
std::optional<Response> serve_asset(const Request& request);

}  // namespace pistesim
