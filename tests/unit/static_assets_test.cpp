// The portal's and the console's pages compiled into the binary (web/, web/static_assets.h):
// served where no PISTE endpoint answers, with their media type, ETag and security headers; only
// names of the table match (no traversal); every file a page or script refers to exists.
#include <regex>
#include <set>

#include "control/control_api.h"
#include "support/test_simulator.h"
#include "web/static_assets.h"

namespace pistesim::test {
namespace {

Response get(TestSimulator& t, const std::string& target, const std::string& method = "GET") {
  return serve_request(*t.sim, Request::make(method, target));
}

TEST(StaticAssets, ThePortalIsAtTheRootAndTheConsoleAtConsole) {
  TestSimulator t;
  Response portal = get(t, "/");
  EXPECT_EQ(portal.status, 200);
  EXPECT_EQ(portal.content_type(), "text/html; charset=utf-8");
  EXPECT_NE(portal.body.find("/portal/app.js"), std::string::npos);
  EXPECT_NE(portal.body.find("lang=\"fr\""), std::string::npos);
  Response console = get(t, "/console/");
  EXPECT_EQ(console.status, 200);
  EXPECT_NE(console.body.find("/console/console.js"), std::string::npos);
  Response bare = get(t, "/console");
  EXPECT_EQ(bare.status, 301);
  EXPECT_EQ(bare.headers.get("Location"), "/console/");
}

TEST(StaticAssets, MediaTypesCachingAndSecurityHeaders) {
  TestSimulator t;
  Response css = get(t, "/common/style.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type(), "text/css; charset=utf-8");
  EXPECT_EQ(get(t, "/portal/app.js").content_type(), "text/javascript; charset=utf-8");
  EXPECT_EQ(get(t, "/common/favicon.svg").content_type(), "image/svg+xml");
  EXPECT_EQ(css.headers.get("Cache-Control"), "no-cache");
  EXPECT_EQ(css.headers.get("X-Content-Type-Options"), "nosniff");
  Response page = get(t, "/");
  const std::string policy = page.headers.get("Content-Security-Policy");
  EXPECT_NE(policy.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(page.headers.get("X-Frame-Options"), "DENY");
}

TEST(StaticAssets, AnUnchangedFileIsNotSentAgain) {
  TestSimulator t;
  Response first = get(t, "/portal/app.js");
  const std::string etag = first.headers.get("ETag");
  ASSERT_TRUE(std::regex_match(etag, std::regex("\"[0-9a-f]{20}\""))) << etag;
  Request again = Request::make("GET", "/portal/app.js");
  again.headers.add("If-None-Match", etag);
  Response second = serve_request(*t.sim, again);
  EXPECT_EQ(second.status, 304);
  EXPECT_TRUE(second.body.empty());
  EXPECT_EQ(second.headers.get("ETag"), etag);
  Request other = Request::make("GET", "/portal/app.js");
  other.headers.add("If-None-Match", "\"0000\"");
  EXPECT_EQ(serve_request(*t.sim, other).status, 200);
  // Each file has its own tag.
  EXPECT_NE(get(t, "/common/style.css").headers.get("ETag"), etag);
}

TEST(StaticAssets, UnknownNamesAndTraversalAre404) {
  TestSimulator t;
  for (const char* path :
       {"/portal/nope.js", "/console/../portal/index.html", "/portal/..%2fconsole/index.html",
        "/common/", "/portal//app.js", "/common/style.css/", "/console/index.html%00"}) {
    SCOPED_TRACE(path);
    Response r = get(t, path);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.content_type(), "text/plain; charset=utf-8");
  }
  // Elsewhere, the simulator's own 404 (a PISTE-like answer), not a page.
  EXPECT_EQ(get(t, "/etc/passwd").status, 404);
  EXPECT_EQ(find_asset("/../web/portal/index.html"), nullptr);
}

TEST(StaticAssets, OnlyGetAndHead) {
  TestSimulator t;
  EXPECT_EQ(get(t, "/", "HEAD").status, 200);
  Response post = get(t, "/", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers.get("Allow"), "GET, HEAD");
}

TEST(StaticAssets, PisteEndpointsKeepTheirPaths) {
  TestSimulator t;
  // A PISTE path prefix or host is never a page.
  EXPECT_NE(get(t, "/sandbox/api/").content_type(), "text/html; charset=utf-8");
  Request hosted = Request::make("GET", "/");
  hosted.headers.add("Host", "sandbox-api.piste.gouv.fr");
  EXPECT_NE(serve_request(*t.sim, hosted).content_type(), "text/html; charset=utf-8");
}

// Every file under /portal/, /console/, /common/ a page or script names (imports, src, href) is
// in the table: a renamed file cannot leave a page broken. (Control API paths such as
// "/portal/login" are no files: only names with a file extension count.)
TEST(StaticAssets, EveryReferencedFileExists) {
  const std::regex reference(
      R"re(["'`](/(?:portal|console|common)/[A-Za-z0-9_./-]+\.(?:js|css|svg|html|png))["'`])re");
  std::set<std::string> seen;
  ASSERT_GE(embedded_assets().size(), 10u);
  for (const auto& asset : embedded_assets()) {
    EXPECT_FALSE(asset.content.empty()) << asset.path;
    const std::string text(asset.content);
    for (std::sregex_iterator it(text.begin(), text.end(), reference), end; it != end; ++it) {
      const std::string target = (*it)[1];
      seen.insert(target);
      EXPECT_NE(find_asset(target), nullptr) << asset.path << " refers to " << target;
    }
  }
  EXPECT_TRUE(seen.count("/portal/app.js"));
  EXPECT_TRUE(seen.count("/common/api.js"));
}

}  // namespace
}  // namespace pistesim::test
