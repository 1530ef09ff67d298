// The catalogue as each caller sees it (CAT-1), the API sheet and its Swagger download (CAT-2),
// and API CGU consent per API and channel (CGU-1, CGU-2's shared check).
#include <algorithm>

#include "portal/api_cgu.h"
#include "portal/catalogue.h"
#include "portal/swagger.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kDemo = "demo@pistesim.test";
const std::string kAdminMtes = "admin-mtes@pistesim.test";

// "api/CHANNEL" for each catalogue line, in order.
std::vector<std::string> lines_of(const Response& r) {
  std::vector<std::string> out;
  json j = body_of(r);
  EXPECT_EQ(r.status, 200) << r.body;
  for (const auto& a : j["apis"])
    out.push_back(a["api"].get<std::string>() + "/" + a["environment"].get<std::string>());
  EXPECT_EQ(j["count"].get<size_t>(), out.size());
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class PortalCatalogue : public ::testing::Test {
 protected:
  const World& world() { return t.sim->snapshot()->world; }
  // Makes demo a member of SERVICE-DIHAL (sisiao-menage is reserved to it).
  void join_dihal() {
    t.sim->mutate([](World& w) {
      for (auto& u : w.users)
        if (u.email == kDemo) u.memberships.push_back({"service-dihal", Role::Developer});
    });
  }
  TestSimulator t;
};

// --- CAT-1 ---------------------------------------------------------------------------------

TEST_F(PortalCatalogue, AnonymousSeesThePublicCatalogueOncePerChannel) {
  auto lines = lines_of(t.control("GET", "/portal/catalogue"));
  size_t expected = 0;
  for (const auto& api : world().apis)
    if (api.organisations.empty()) expected += api.channels.size();
  EXPECT_EQ(lines.size(), expected);
  EXPECT_TRUE(has(lines, "legifrance/SANDBOX"));
  EXPECT_TRUE(has(lines, "legifrance/PRODUCTION"));
  EXPECT_TRUE(has(lines, "api-test-try-it/SANDBOX"));
  EXPECT_FALSE(has(lines, "api-test-try-it/PRODUCTION"));  // published on SANDBOX only
  EXPECT_FALSE(has(lines, "sisiao-menage/SANDBOX"));       // reserved to SERVICE-DIHAL
}

TEST_F(PortalCatalogue, EntriesShowWhatThePortalListShows) {
  json j = body_of(t.control("GET", "/portal/catalogue?q=carte%20achat&environment=SANDBOX"));
  ASSERT_EQ(j["count"], 1);
  json e = j["apis"][0];
  EXPECT_EQ(e["name"], "Carte Achat");
  EXPECT_EQ(e["version"], "1.0.0");
  EXPECT_EQ(e["status"], "Published");
  EXPECT_EQ(e["type"], "REST");
  EXPECT_EQ(e["environment"], "SANDBOX");
  EXPECT_EQ(e["approval_required"], true);
  EXPECT_EQ(e["cgu"], false);
  EXPECT_NE(e["sheet_url"].get<std::string>().find(
                "/__pistesim/portal/catalogue/carte-achat?environment=SANDBOX"),
            std::string::npos);
}

TEST_F(PortalCatalogue, ALoggedInUserAlsoSeesTheApisOfTheirOrganisations) {
  EXPECT_FALSE(
      has(lines_of(t.control_as(kDemo, "GET", "/portal/catalogue")), "sisiao-menage/SANDBOX"));
  join_dihal();
  auto lines = lines_of(t.control_as(kDemo, "GET", "/portal/catalogue"));
  EXPECT_TRUE(has(lines, "sisiao-menage/SANDBOX"));
  EXPECT_TRUE(has(lines, "sisiao-menage/PRODUCTION"));
  // Still hidden from anonymous callers.
  EXPECT_FALSE(has(lines_of(t.control("GET", "/portal/catalogue")), "sisiao-menage/SANDBOX"));
}

TEST_F(PortalCatalogue, ActingAccountMustBeAbleToAct) {
  EXPECT_EQ(outcome_of(t.control_as("inactive@pistesim.test", "GET", "/portal/catalogue")),
            "401 NOT_LOGGED_IN");
  EXPECT_EQ(outcome_of(t.control_as("nobody@pistesim.test", "GET", "/portal/catalogue")),
            "401 NOT_LOGGED_IN");
}

TEST_F(PortalCatalogue, SearchIgnoresCaseAndAccentsOverNameDescriptionAndTags) {
  struct Case {
    std::string q;
    std::string expect;  // an api/SANDBOX line that must be found
  };
  for (const Case& c : std::vector<Case>{
           {"legifrance", "legifrance/SANDBOX"},       // name without its accent
           {"L%C3%89GIFRANCE", "legifrance/SANDBOX"},  // upper-case accented
           {"jurisprudence", "judilibre/SANDBOX"},     // a tag
           {"cour%20cassation", "judilibre/SANDBOX"},  // description, every word
           {"referentiels", "cpro-transverses/SANDBOX"},
       }) {
    auto lines = lines_of(t.control("GET", "/portal/catalogue?q=" + c.q));
    EXPECT_TRUE(has(lines, c.expect)) << c.q;
  }
  auto legi = lines_of(t.control("GET", "/portal/catalogue?q=l%C3%A9gifrance"));
  EXPECT_EQ(legi, (std::vector<std::string>{"legifrance/SANDBOX", "legifrance/PRODUCTION"}));
  EXPECT_TRUE(lines_of(t.control("GET", "/portal/catalogue?q=cassation%20zzz")).empty());
}

TEST_F(PortalCatalogue, FoldsFrenchAccentsAndLigatures) {
  EXPECT_EQ(fold_for_search("Élève Œuvre Ça À l'Île NOËL ÿ æ"),
            "eleve oeuvre ca a l'ile noel y ae");
  EXPECT_EQ(fold_for_search("Légifrance 2024 – API"), "legifrance 2024 – api");
}

TEST_F(PortalCatalogue, SortsByNameBothWays) {
  auto names = [&](const std::string& target) {
    std::vector<std::string> out;
    json list = body_of(t.control("GET", target));
    for (const auto& a : list["apis"]) out.push_back(fold_for_search(a["name"].get<std::string>()));
    return out;
  };
  auto asc = names("/portal/catalogue?environment=PRODUCTION");
  ASSERT_GT(asc.size(), 3u);
  EXPECT_TRUE(std::is_sorted(asc.begin(), asc.end()));
  EXPECT_EQ(asc, names("/portal/catalogue?environment=PRODUCTION&sort=name"));
  auto desc = names("/portal/catalogue?environment=PRODUCTION&sort=-name");
  EXPECT_TRUE(std::is_sorted(desc.rbegin(), desc.rend()));
  // Accents do not send « Légifrance » after « Z… »: it sits among the L's.
  auto all = lines_of(t.control("GET", "/portal/catalogue?environment=SANDBOX"));
  auto legi = std::find(all.begin(), all.end(), "legifrance/SANDBOX");
  auto judi = std::find(all.begin(), all.end(), "judilibre/SANDBOX");
  EXPECT_LT(judi, legi);
}

TEST_F(PortalCatalogue, FiltersByEnvironment) {
  auto sandbox = lines_of(t.control("GET", "/portal/catalogue?environment=SANDBOX"));
  auto production = lines_of(t.control("GET", "/portal/catalogue?environment=production"));
  EXPECT_TRUE(has(sandbox, "api-test-try-it/SANDBOX"));
  for (const auto& l : sandbox) EXPECT_TRUE(l.ends_with("/SANDBOX")) << l;
  for (const auto& l : production) EXPECT_TRUE(l.ends_with("/PRODUCTION")) << l;
  EXPECT_EQ(sandbox.size() + production.size(),
            lines_of(t.control("GET", "/portal/catalogue")).size());
}

TEST_F(PortalCatalogue, RefusesBadQueryParameters) {
  EXPECT_EQ(outcome_of(t.control("GET", "/portal/catalogue?sort=date")), "400 INVALID_FIELD");
  EXPECT_EQ(outcome_of(t.control("GET", "/portal/catalogue?environment=PROD")),
            "400 INVALID_FIELD");
  EXPECT_EQ(body_of(t.control("GET", "/portal/catalogue?sort=date"))["field"], "sort");
}

TEST_F(PortalCatalogue, TypedQueryMatchesTheRoute) {
  CatalogueQuery q;
  q.text = "judilibre";
  q.environment = Channel::Production;
  auto r = browse_catalogue(world(), "", q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].api->id, "judilibre");
  EXPECT_EQ((*r)[0].channel, Channel::Production);
  EXPECT_FALSE(browse_catalogue(world(), "inactive@pistesim.test", q).ok());
}

// --- CAT-2 ---------------------------------------------------------------------------------

TEST_F(PortalCatalogue, SheetShowsEverythingTheApiSheetShows) {
  Response r = t.control("GET", "/portal/catalogue/carte-achat");
  ASSERT_EQ(r.status, 200) << r.body;
  json s = body_of(r);
  EXPECT_EQ(s["name"], "Carte Achat");
  EXPECT_EQ(s["version"], "1.0.0");
  EXPECT_EQ(s["status"], "Published");
  EXPECT_EQ(s["type"], "REST");
  EXPECT_EQ(s["environment"], "SANDBOX");  // default: SANDBOX when published there
  EXPECT_EQ(s["environments"], json({"SANDBOX", "PRODUCTION"}));
  EXPECT_EQ(s["host"], "https://sandbox-api.piste.gouv.fr");
  EXPECT_EQ(s["base_path"], "/chorus/v1/carteachat");
  EXPECT_EQ(s["cors"], "Enabled");
  EXPECT_EQ(s["scopes"], json({"chorus.carteachat", "cnf"}));
  EXPECT_EQ(s["approval_required"], true);
  EXPECT_EQ(s["approval_required_label"], "Yes");
  EXPECT_EQ(s["approvers"], json({"approbateur.carteachat@pistesim.test"}));
  // « Tags SANDBOX » on PISTE's sheets (000 §6.2, 001): the environment first.
  EXPECT_EQ(s["tags"], json({"SANDBOX", "Chorus", "Achat public"}));
  EXPECT_TRUE(s["cgu"].is_null());
  EXPECT_EQ(s["added_at"], format_iso8601(t.sim->snapshot()->index.api("carte-achat")->added_at));
  // 000 §10.2 / §12.2: PISTE's own URLs.
  EXPECT_EQ(s["piste"]["url_sdbx"], "https://sandbox-api.piste.gouv.fr");
  EXPECT_EQ(s["piste"]["url_prod"], "https://api.piste.gouv.fr");
  EXPECT_EQ(s["piste"]["url_oauth_sdbx"], "https://sandbox-oauth.piste.gouv.fr");
  EXPECT_EQ(s["piste"]["url_oauth"], "https://oauth.piste.gouv.fr");
  EXPECT_EQ(s["piste"]["token_url"], "https://oauth.piste.gouv.fr/api/oauth/token");
  // And where this simulator serves them.
  const std::string base = t.sim->public_url();
  EXPECT_EQ(s["pistesim"]["url_sdbx"], base + "/sandbox/api");
  EXPECT_EQ(s["pistesim"]["url_prod"], base + "/production/api");
  EXPECT_EQ(s["pistesim"]["url_oauth_sdbx"], base + "/sandbox/oauth");
  EXPECT_EQ(s["pistesim"]["url_oauth"], base + "/production/oauth");
  EXPECT_EQ(s["pistesim"]["base_url"], base + "/sandbox/api/chorus/v1/carteachat");
  EXPECT_EQ(s["pistesim"]["token_url_environment"], base + "/sandbox/oauth/api/oauth/token");
  EXPECT_EQ(s["swagger_url"], base +
                                  "/__pistesim/portal/catalogue/carte-achat/"
                                  "swagger.json?environment=SANDBOX");
}

TEST_F(PortalCatalogue, SheetOfTheProductionChannel) {
  json s = body_of(t.control("GET", "/portal/catalogue/sne-cotation?environment=PRODUCTION"));
  EXPECT_EQ(s["environment"], "PRODUCTION");
  EXPECT_EQ(s["host"], "https://api.piste.gouv.fr");
  EXPECT_EQ(s["base_path"], "/mtes/sne-cotation/v1.0");
  EXPECT_EQ(s["approvers"], json({"api-platau-administration@developpement-durable.gouv.fr"}));
  EXPECT_EQ(s["pistesim"]["base_url"],
            t.sim->public_url() + "/production/api/mtes/sne-cotation/v1.0");
}

TEST_F(PortalCatalogue, SheetShowsTheCguAndWhetherTheCallerAcceptedIt) {
  json anon = body_of(t.control("GET", "/portal/catalogue/cpro-factures"));
  EXPECT_EQ(anon["cgu"]["id"], "AIFE_ChorusPro_Factures");
  EXPECT_EQ(anon["cgu"]["title"], "CGU de l'API AIFE - Chorus Pro - Factures");
  EXPECT_EQ(anon["cgu"]["version"], "2");
  EXPECT_FALSE(anon["cgu"].contains("accepted"));
  EXPECT_EQ(
      body_of(t.control_as(kDemo, "GET", "/portal/catalogue/cpro-factures"))["cgu"]["accepted"],
      true);
  EXPECT_EQ(body_of(t.control_as(kAdminMtes, "GET",
                                 "/portal/catalogue/cpro-factures"))["cgu"]["accepted"],
            false);
}

TEST_F(PortalCatalogue, SheetShowsTheDateAddedWhenKnown) {
  t.sim->mutate([](World& w) {
    for (auto& a : w.apis)
      if (a.id == "legifrance") a.added_at = kStart;
  });
  json s = body_of(t.control("GET", "/portal/catalogue/legifrance"));
  EXPECT_EQ(s["added_at"], "2026-11-23T10:00:00.000Z");
  t.sim->mutate([](World& w) {
    for (auto& a : w.apis)
      if (a.id == "legifrance") a.added_at = 0;
  });
  EXPECT_FALSE(body_of(t.control("GET", "/portal/catalogue/legifrance")).contains("added_at"));
}

TEST_F(PortalCatalogue, SheetRefusals) {
  EXPECT_EQ(outcome_of(t.control("GET", "/portal/catalogue/nope")), "404 UNKNOWN_API");
  // Invisible: answered as unknown.
  EXPECT_EQ(outcome_of(t.control("GET", "/portal/catalogue/sisiao-menage")), "404 UNKNOWN_API");
  EXPECT_EQ(outcome_of(t.control_as(kDemo, "GET", "/portal/catalogue/sisiao-menage")),
            "404 UNKNOWN_API");
  join_dihal();
  EXPECT_EQ(t.control_as(kDemo, "GET", "/portal/catalogue/sisiao-menage").status, 200);
  EXPECT_EQ(
      outcome_of(t.control("GET", "/portal/catalogue/api-test-try-it?environment=PRODUCTION")),
      "404 NOT_PUBLISHED");
  EXPECT_EQ(outcome_of(t.control("GET", "/portal/catalogue/legifrance?environment=prod")),
            "400 INVALID_FIELD");
}

// --- Swagger -------------------------------------------------------------------------------

TEST_F(PortalCatalogue, SwaggerDescribesTheProviderRoutes) {
  Response r = t.control("GET", "/portal/catalogue/legifrance/swagger.json?environment=PRODUCTION");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type(), "application/json");
  EXPECT_NE(r.headers.get("Content-Disposition").find("legifrance-production-swagger.json"),
            std::string::npos);
  json s = body_of(r);
  EXPECT_EQ(s["swagger"], "2.0");
  EXPECT_EQ(s["info"]["title"], "Légifrance");
  EXPECT_EQ(s["info"]["version"], "1.0");
  EXPECT_EQ(s["host"], "api.piste.gouv.fr");
  EXPECT_EQ(s["basePath"], "/dila/legifrance/lf-engine-app");
  EXPECT_EQ(s["schemes"], json({"https"}));
  EXPECT_EQ(s["securityDefinitions"]["oauth2"]["flow"], "application");
  EXPECT_EQ(s["securityDefinitions"]["oauth2"]["tokenUrl"],
            "https://oauth.piste.gouv.fr/api/oauth/token");
  EXPECT_FALSE(s["securityDefinitions"].contains("KeyId"));
  // GET /consult/ping answers « pong » in ISO-8859-1 text (000 §8), which it declares it produces.
  json ping = s["paths"]["/consult/ping"]["get"];
  EXPECT_EQ(ping["responses"]["200"]["examples"]["text/plain;charset=ISO-8859-1"], "pong");
  EXPECT_EQ(ping["produces"], json({"text/plain;charset=ISO-8859-1"}));
  EXPECT_FALSE(s["paths"]["/search"]["post"].contains("produces"));  // JSON, as the document says
  // POST /search: the JSON fields it requires, and both canned answers.
  json search = s["paths"]["/search"]["post"];
  ASSERT_TRUE(search.is_object()) << s.dump(2);
  bool body_found = false;
  for (const auto& p : search["parameters"])
    if (p["in"] == "body") {
      body_found = true;
      EXPECT_EQ(p["schema"]["required"], json({"recherche", "fond"}));
    }
  EXPECT_TRUE(body_found);
  EXPECT_TRUE(search["responses"].contains("200"));
  EXPECT_TRUE(search["responses"].contains("400"));
  EXPECT_TRUE(search["responses"].contains("401"));
  EXPECT_TRUE(search["responses"]["200"]["examples"]["application/json"].is_object());
}

TEST_F(PortalCatalogue, SwaggerShowsApiKeysQueryParametersAndProviderHeaders) {
  json judi = body_of(t.control("GET", "/portal/catalogue/judilibre/swagger.json"));
  EXPECT_EQ(judi["host"], "sandbox-api.piste.gouv.fr");
  EXPECT_EQ(judi["securityDefinitions"]["KeyId"]["name"], "KeyId");
  EXPECT_EQ(judi["securityDefinitions"]["KeyId"]["in"], "header");
  json params = judi["paths"]["/search"]["get"]["parameters"];
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0]["name"], "query");
  EXPECT_EQ(params[0]["in"], "query");

  json cpro = body_of(t.control("GET", "/portal/catalogue/cpro-structures/swagger.json"));
  bool header = false;
  for (const auto& p : cpro["paths"]["/rechercher"]["post"]["parameters"])
    header = header || (p["in"] == "header" && p["name"] == "cpro-account");
  EXPECT_TRUE(header);
}

TEST_F(PortalCatalogue, SwaggerFollowsVisibility) {
  EXPECT_EQ(outcome_of(t.control("GET", "/portal/catalogue/sisiao-menage/swagger.json")),
            "404 UNKNOWN_API");
  join_dihal();
  EXPECT_EQ(t.control_as(kDemo, "GET", "/portal/catalogue/sisiao-menage/swagger.json").status, 200);
}

TEST_F(PortalCatalogue, SwaggerOfAPrefixRouteNamesItsPathParameter) {
  Api api;
  api.id = "x";
  api.name = "X";
  api.base_path = "/x/v1";
  api.channels = {Channel::Sandbox};
  ProviderRoute any;
  any.method = "*";
  any.path = "/files";
  any.prefix = true;
  api.routes.push_back(any);
  auto doc = swagger_document(api, Channel::Sandbox);
  ASSERT_TRUE(doc["paths"].contains("/files/{chemin}")) << doc.dump(2);
  for (const char* m : {"get", "post", "put", "patch", "delete"})
    EXPECT_TRUE(doc["paths"]["/files/{chemin}"].contains(m)) << m;
  EXPECT_EQ(doc["paths"]["/files/{chemin}"]["get"]["parameters"][0]["in"], "path");
}

// --- API CGU consent (CGU-1) -----------------------------------------------------------------

json cgu_line(const json& list, const std::string& api, const std::string& channel) {
  for (const auto& l : list["cgu"])
    if (l["api"] == api && l["channel"] == channel) return l;
  return nullptr;
}

TEST_F(PortalCatalogue, CguPageListsEachApiWithCguPerChannel) {
  json page = body_of(t.control_as(kDemo, "GET", "/portal/api-cgu"));
  size_t expected = 0;
  for (const auto& api : world().apis)
    if (!api.cgu.empty() && api.organisations.empty()) expected += api.channels.size();
  EXPECT_EQ(page["count"].get<size_t>(), expected);
  json factures = cgu_line(page, "cpro-factures", "PRODUCTION");
  ASSERT_FALSE(factures.is_null());
  EXPECT_EQ(factures["api_name"], "AIFE - Chorus Pro - Factures");
  EXPECT_EQ(factures["cgu"]["id"], "AIFE_ChorusPro_Factures");
  EXPECT_EQ(factures["cgu"]["version"], "2");
  EXPECT_EQ(factures["accepted"], true);
  EXPECT_EQ(cgu_line(page, "e-signature", "SANDBOX")["accepted"], false);
  EXPECT_TRUE(cgu_line(page, "legifrance", "SANDBOX").is_null());  // no CGU
  EXPECT_EQ(outcome_of(t.control("GET", "/portal/api-cgu")), "401 NOT_LOGGED_IN");
}

TEST_F(PortalCatalogue, AcceptingCguIsPerChannelAndStays) {
  Response r = t.control_as(kAdminMtes, "POST", "/portal/api-cgu",
                            R"({"accept":[{"api":"e-signature","channel":"SANDBOX"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = body_of(r);
  EXPECT_EQ(j["accepted"], json::parse(R"([{"api":"e-signature","channel":"SANDBOX"}])"));
  EXPECT_EQ(cgu_line(j, "e-signature", "SANDBOX")["accepted"], true);
  EXPECT_EQ(cgu_line(j, "e-signature", "PRODUCTION")["accepted"], false);

  // Accepting again is a no-op: nothing new, nothing changed.
  World before = world();
  r = t.control_as(kAdminMtes, "POST", "/portal/api-cgu",
                   R"({"accept":[{"api":"e-signature","channel":"SANDBOX"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(body_of(r)["accepted"].empty());
  const User* admin = t.sim->snapshot()->index.user(kAdminMtes);
  EXPECT_EQ(std::count_if(admin->accepted_cgu.begin(), admin->accepted_cgu.end(),
                          [](const CguConsent& k) { return k.api == "e-signature"; }),
            1);
  EXPECT_TRUE(t.sim->mailbox().list().empty());
}

TEST_F(PortalCatalogue, AcceptingCguRefusesTheWholeSelectionOnABadItem) {
  struct Case {
    std::string body;
    std::string outcome;
  };
  const std::vector<Case> cases = {
      {R"({"accept":[{"api":"e-signature","channel":"SANDBOX"},{"api":"nope","channel":"SANDBOX"}]})",
       "404 UNKNOWN_API"},
      {R"({"accept":[{"api":"e-signature","channel":"SANDBOX"},{"api":"legifrance","channel":"SANDBOX"}]})",
       "400 NO_CGU"},
      {R"({"accept":[{"api":"sisiao-menage","channel":"SANDBOX"}]})", "404 UNKNOWN_API"},
      {R"({"accept":[]})", "400 MISSING_FIELD"},
      {R"({})", "400 MISSING_FIELD"},
      {R"({"accept":"e-signature"})", "400 INVALID_FIELD"},
      {R"({"accept":[{"api":"e-signature","channel":"PROD"}]})", "400 INVALID_FIELD"},
      {R"({"accept":[{"api":"e-signature"}]})", "400 INVALID_FIELD"},
  };
  World before = world();
  for (const auto& c : cases) {
    EXPECT_EQ(outcome_of(t.control_as(kAdminMtes, "POST", "/portal/api-cgu", c.body)), c.outcome)
        << c.body;
    EXPECT_EQ(world(), before) << c.body;
  }
  EXPECT_EQ(outcome_of(t.control_as("inactive@pistesim.test", "POST", "/portal/api-cgu",
                                    R"({"accept":[{"api":"e-signature","channel":"SANDBOX"}]})")),
            "401 NOT_LOGGED_IN");
  EXPECT_EQ(world(), before);
}

TEST_F(PortalCatalogue, AcceptingCguOfAChannelTheApiIsNotOn) {
  t.sim->mutate([](World& w) {
    for (auto& a : w.apis)
      if (a.id == "e-signature") a.channels = {Channel::Production};
  });
  World before = world();
  EXPECT_EQ(outcome_of(t.control_as(kAdminMtes, "POST", "/portal/api-cgu",
                                    R"({"accept":[{"api":"e-signature","channel":"SANDBOX"}]})")),
            "400 NOT_PUBLISHED");
  EXPECT_EQ(world(), before);
}

TEST_F(PortalCatalogue, CguSatisfiedIsPerUserAndChannel) {
  const World& w = world();
  const WorldIndex& idx = t.sim->snapshot()->index;
  const User& demo = *idx.user(kDemo);
  const User& admin = *idx.user(kAdminMtes);
  EXPECT_TRUE(cgu_satisfied(w, demo, *idx.api("cpro-factures"), Channel::Sandbox));
  EXPECT_FALSE(cgu_satisfied(w, admin, *idx.api("cpro-factures"), Channel::Sandbox));
  EXPECT_TRUE(cgu_satisfied(w, admin, *idx.api("legifrance"), Channel::Production));  // no CGU
  auto accepted = t.sim->transact([](Transaction& tx) {
    return accept_api_cgu(tx, kAdminMtes, {{"cpro-factures", Channel::Production}});
  });
  ASSERT_TRUE(accepted.ok());
  const auto snap = t.sim->snapshot();
  const User& after = *snap->index.user(kAdminMtes);
  EXPECT_TRUE(
      cgu_satisfied(snap->world, after, *snap->index.api("cpro-factures"), Channel::Production));
  EXPECT_FALSE(
      cgu_satisfied(snap->world, after, *snap->index.api("cpro-factures"), Channel::Sandbox));
}

}  // namespace
}  // namespace pistesim::test
