// Chorus Pro's « raccordement » (003 §2.B, §3.B; 004): a technical account works only for the
// applications its structure connected, on the matching environment; the world file and the
// control API hold structures, raccordements and technical accounts.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/test_simulator.h"
#include "world/default_world.h"
#include "world/world_loader.h"
#include "world/world_writer.h"

namespace pistesim {
namespace {

using test::body_of;
using test::TestSimulator;

constexpr const char* kAdminSandboxClient = "b7d2e8a1-4c6f-4a93-8e05-6f1c3d9b2a47";
constexpr const char* kAdminSandboxSecret = "e4a9c1d7-0b3f-4e62-9a58-c2d7f0b6e193";
constexpr const char* kSearch = "/cpro/structures/v1/rechercher";

Response search(TestSimulator& t, Channel channel, const std::string& token,
                const std::string& account = test::cpro_account()) {
  Request r = Request::make("POST", kSearch, R"({"parametres":{}})");
  r.headers.add("Authorization", "Bearer " + token);
  r.headers.add("Content-Type", "application/json");
  r.headers.add("cpro-account", account);
  return t.sim->handle(TestSimulator::api_endpoint(channel), r);
}

int code_retour(const Response& r) {
  return body_of(r).value("codeRetour", -1);
}

// The MTES administrator's sandbox application, subscribed to Structures but connected nowhere.
void subscribe_admin_sandbox(TestSimulator& t) {
  t.sim->mutate([](World& w) {
    for (auto& app : w.applications)
      if (app.id == "mtes-admin-sandbox") {
        Subscription sub;
        sub.api = "cpro-structures";
        app.subscriptions.push_back(sub);
      }
  });
}

TEST(ChorusPro, TheDemoApplicationsAreConnectedOnTheirEnvironment) {
  TestSimulator t;
  Response sandbox = search(t, Channel::Sandbox, t.token());
  EXPECT_EQ(sandbox.status, 200) << sandbox.body;
  EXPECT_EQ(code_retour(sandbox), 0);
  Response production = search(
      t, Channel::Production,
      t.token(Channel::Production, test::kProductionClientId, test::kProductionClientSecret));
  EXPECT_EQ(production.status, 200) << production.body;
  EXPECT_EQ(code_retour(production), 0);
}

TEST(ChorusPro, AnApplicationNoRaccordementNamesIsRefusedInChorusProsShape) {
  TestSimulator t;
  subscribe_admin_sandbox(t);
  Response r = search(t, Channel::Sandbox,
                      t.token(Channel::Sandbox, kAdminSandboxClient, kAdminSandboxSecret));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(code_retour(r), 403);
  EXPECT_NE(body_of(r).value("libelle", "").find("raccordement"), std::string::npos) << r.body;
}

TEST(ChorusPro, DeactivatingTheRaccordementOrTheAccountStopsTheCalls) {
  TestSimulator t;
  const std::string token = t.token();
  ASSERT_EQ(
      t.control("POST", "/chorus-pro/raccordements/racc-demo-qualification/deactivate").status,
      200);
  Response r = search(t, Channel::Sandbox, token);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(body_of(r).value("libelle", "").find("raccordement"), std::string::npos);
  // Production has its own raccordement and account: still served.
  EXPECT_EQ(
      search(t, Channel::Production,
             t.token(Channel::Production, test::kProductionClientId, test::kProductionClientSecret))
          .status,
      200);
  ASSERT_EQ(
      t.control("POST",
                "/chorus-pro/technical-accounts/PRODUCTION/TECH_1_pistesim@cpro.fr/deactivate")
          .status,
      200);
  r = search(
      t, Channel::Production,
      t.token(Channel::Production, test::kProductionClientId, test::kProductionClientSecret));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(body_of(r).value("libelle", "").find("inconnu ou invalide"), std::string::npos);
}

TEST(ChorusPro, ARaccordementThenATechnicalAccountConnectAnApplication) {
  TestSimulator t;
  subscribe_admin_sandbox(t);
  const std::string token = t.token(Channel::Sandbox, kAdminSandboxClient, kAdminSandboxSecret);
  // A technical account comes after the raccordement (003 §2.B).
  EXPECT_EQ(t.control_outcome("POST", "/chorus-pro/structures",
                              R"({"siret":"26200750000115","name":"CENTRE HOSPITALIER"})"),
            "201 ");
  EXPECT_EQ(t.control_outcome("POST", "/chorus-pro/technical-accounts",
                              R"({"structure":"26200750000115","environment":"QUALIFICATION",
                                  "login":"TECH_CH@cpro.fr","password":"pw"})"),
            "409 CPRO_NO_RACCORDEMENT");
  Response k = t.control("POST", "/chorus-pro/raccordements",
                         R"({"structure":"26200750000115","environment":"QUALIFICATION",
                             "application":"APP_SANDBOX_admin-mtes@pistesim.test",
                             "usage_type":"Editeur","editor":"pistesim",
                             "contact_name":"NOM PRENOM","contact_email":"tech@ex.fr"})");
  ASSERT_EQ(k.status, 201) << k.body;
  EXPECT_EQ(body_of(k)["environment"], "QUALIFICATION");
  EXPECT_EQ(body_of(k)["active"], true);
  Response a = t.control("POST", "/chorus-pro/technical-accounts",
                         R"({"structure":"26200750000115","environment":"QUALIFICATION",
                             "login":"TECH_CH@cpro.fr"})");
  ASSERT_EQ(a.status, 201) << a.body;
  const std::string password = body_of(a)["password"];
  EXPECT_FALSE(password.empty());
  Response r = search(t, Channel::Sandbox, token, base64_encode("TECH_CH@cpro.fr:" + password));
  EXPECT_EQ(r.status, 200) << r.body;
  // The demo structure's account still does not serve this application.
  EXPECT_EQ(search(t, Channel::Sandbox, token).status, 403);
}

TEST(ChorusPro, ProductionRefusesASandboxApplicationWithChorusProsMessage) {
  TestSimulator t;
  Response r = t.control("POST", "/chorus-pro/raccordements",
                         R"({"structure":"13001070900025","environment":"PRODUCTION",
                             "application":"APP_SANDBOX_admin-mtes@pistesim.test",
                             "contact_name":"NOM PRENOM","contact_email":"tech@ex.fr"})");
  EXPECT_EQ(test::outcome_of(r), "400 CPRO_SANDBOX_APPLICATION");
  EXPECT_NE(body_of(r).value("message", "").find("impossible de saisir une application SANDBOX"),
            std::string::npos)
      << r.body;
  // Qualification wants the SANDBOX application: a production one is not on that channel.
  EXPECT_EQ(t.control_outcome("POST", "/chorus-pro/raccordements",
                              R"({"structure":"13001070900025","environment":"QUALIFICATION",
                                  "application":"demo-production-app",
                                  "contact_name":"N","contact_email":"t@ex.fr"})"),
            "400 CPRO_UNKNOWN_APPLICATION");
  EXPECT_EQ(t.control_outcome("POST", "/chorus-pro/raccordements",
                              R"({"structure":"13001070900025","environment":"PRODUCTION",
                                  "application":"demo-production-app",
                                  "contact_name":"N","contact_email":"t@ex.fr"})"),
            "409 CPRO_ALREADY_CONNECTED");
  EXPECT_EQ(t.control_outcome("POST", "/chorus-pro/raccordements",
                              R"({"structure":"99999999999999","environment":"PRODUCTION",
                                  "application":"demo-production-app",
                                  "contact_name":"N","contact_email":"t@ex.fr"})"),
            "404 CPRO_UNKNOWN_STRUCTURE");
}

// --- world file -------------------------------------------------------------------------------

std::string world_with(const std::string& structures) {
  std::string text(default_world_text());
  return text + "\n" + structures;
}

std::vector<std::string> errors_of(const std::string& text) {
  WorldLoadResult r = load_world_string(text, "w.toml");
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.to_string());
  return out;
}

TEST(ChorusPro, WorldCheckRefusesASandboxApplicationForProductionAtItsPlace) {
  const std::string base = world_with(R"([[chorus_pro_structures]]
siret = "26200750000115"
name = "CH"

[[chorus_pro_structures.raccordements]]
id = "r1"
environment = "PRODUCTION"
application = "APP_SANDBOX_admin-mtes@pistesim.test"
technical_contact = { name = "N", email = "t@ex.fr" }

[[chorus_pro_structures.technical_accounts]]
login = "T"
password = "p"
environment = "QUALIFICATION"
)");
  auto errors = errors_of(base);
  ASSERT_EQ(errors.size(), 2u) << (errors.empty() ? "" : errors[0]);
  const int lines =
      static_cast<int>(std::count(default_world_text().begin(), default_world_text().end(), '\n'));
  EXPECT_EQ(errors[0], "w.toml:" + std::to_string(lines + 9) +
                           ":15: « chorus_pro_structures[1].raccordements[0].application » must "
                           "name a PISTE application of the channel of its environment "
                           "(PRODUCTION for PRODUCTION); il est impossible de saisir une "
                           "application SANDBOX (\"APP_SANDBOX_admin-mtes@pistesim.test\") pour "
                           "un raccordement en Production");
  EXPECT_NE(errors[1].find("« chorus_pro_structures[1].technical_accounts[0].environment » must be "
                           "an environment where the structure has a raccordement"),
            std::string::npos)
      << errors[1];
}

TEST(ChorusPro, WorldCheckRefusesABadSiretAndAnUnknownEnvironment) {
  auto errors = errors_of(world_with(R"([[chorus_pro_structures]]
siret = "1234"
name = "X"

[[chorus_pro_structures.raccordements]]
id = "r1"
environment = "STAGING"
application = "APP_SANDBOX_demo@pistesim.test"
technical_contact = { name = "N", email = "t@ex.fr" }
)"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("« chorus_pro_structures[1].siret » must be a SIRET (14 digits), not "
                           "\"1234\""),
            std::string::npos)
      << errors[0];
  EXPECT_NE(errors[1].find("« chorus_pro_structures[1].raccordements[0].environment »"),
            std::string::npos)
      << errors[1];
}

TEST(ChorusPro, StructuresSurviveASnapshot) {
  TestSimulator t;
  ASSERT_EQ(t.control("POST", "/chorus-pro/raccordements/racc-demo-production/deactivate").status,
            200);
  const World& before = t.sim->snapshot()->world;
  WorldLoadResult back = load_world_string(write_world_toml(before), "snapshot.toml");
  ASSERT_TRUE(back.ok()) << back.errors.front().to_string();
  EXPECT_EQ(back.world.cpro_structures, before.cpro_structures);
  EXPECT_FALSE(back.world.cpro_structures[0].raccordements[1].active);
}

}  // namespace
}  // namespace pistesim
