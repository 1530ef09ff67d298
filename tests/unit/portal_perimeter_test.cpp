// An OrgAdmin acts only within their perimeter (000 §11.2; issue 16 item 2): on a user who also
// belongs to another organisation, deleting removes them from the actor's organisations only,
// with the applications they own there, and never touches the other organisation's applications;
// the account goes when it belongs nowhere any more. Deactivating such a shared account is
// refused (it would lock them out of the other organisation too).
#include "portal/enrolment.h"
#include "portal/user_management.h"
#include "support/test_simulator.h"

namespace pistesim::test {
namespace {

using nlohmann::json;

const std::string kMtesAdmin = "admin-mtes@pistesim.test";
const std::string kDihalAdmin = "api.externe.sisiao@dihal.gouv.fr";  // OrgAdmin of SERVICE-DIHAL
const std::string kShared = "shared.user@x.fr";
const std::string kDemo = "demo@pistesim.test";  // Universelle + MTES

class PortalPerimeter : public ::testing::Test {
 protected:
  // The issue's set-up: created in MTES by its OrgAdmin, then enrolled in SERVICE-DIHAL.
  void SetUp() override {
    Response created = t.control_as(
        kMtesAdmin, "POST", "/portal/admin/users",
        json{{"email", kShared}, {"name", "Partagé"}, {"organisation", "mtes"}}.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    Response enrolled =
        t.control_as(kDihalAdmin, "POST", "/portal/admin/enrolments",
                     json{{"organisation", "service-dihal"}, {"emails", {kShared}}}.dump());
    ASSERT_EQ(enrolled.status, 200) << enrolled.body;
    ASSERT_EQ(body_of(enrolled)["succeeded"], 1) << enrolled.body;
  }

  std::optional<User> user(const std::string& email) {
    const User* u = t.sim->snapshot()->index.user(email);
    return u ? std::optional<User>(*u) : std::nullopt;
  }
  // Names of the applications `email` owns in `organisation`.
  std::set<std::string> applications(const std::string& email, const std::string& organisation) {
    std::set<std::string> out;
    for (const auto& a : t.sim->snapshot()->world.applications)
      if (iequals(a.owner, email) && a.organisation == organisation) out.insert(a.name);
    return out;
  }
  std::string sandbox_token_of(const std::string& app_name) {
    for (const auto& a : t.sim->snapshot()->world.applications)
      if (a.name == app_name)
        return t.token(Channel::Sandbox, a.oauth_clients.at(0).client_id,
                       a.oauth_clients.at(0).client_secret);
    ADD_FAILURE() << "no application " << app_name;
    return {};
  }
  TokenState state_of(const std::string& token) {
    return t.sim->tokens(Channel::Sandbox).lookup(token, t.clock->now_ms()).first;
  }

  TestSimulator t;
  const std::set<std::string> dihal_apps_ = {"APP_DIHAL_SBX_" + kShared,
                                             "APP_DIHAL_PROD_" + kShared};
};

TEST_F(PortalPerimeter, DeletingASharedUserRemovesThemFromTheActorsOrganisationOnly) {
  ASSERT_EQ(applications(kShared, "service-dihal"), dihal_apps_);
  ASSERT_EQ(applications(kShared, "mtes"), std::set<std::string>{"APP_SANDBOX_" + kShared});
  const std::string dihal_token = sandbox_token_of("APP_DIHAL_SBX_" + kShared);
  const std::string mtes_token = sandbox_token_of("APP_SANDBOX_" + kShared);

  Response r = t.control_as(kMtesAdmin, "DELETE", "/portal/admin/users/" + kShared);
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = body_of(r);
  EXPECT_EQ(j["user"], kShared);
  EXPECT_FALSE(j["account_deleted"].get<bool>());
  EXPECT_EQ(j["organisations"], json({"mtes"}));
  EXPECT_EQ(j["applications"].size(), 1u);

  // SERVICE-DIHAL keeps its member, their two applications and their live token.
  auto u = user(kShared);
  ASSERT_TRUE(u);
  ASSERT_EQ(u->memberships.size(), 1u);
  EXPECT_EQ(u->memberships[0].organisation, "service-dihal");
  EXPECT_EQ(applications(kShared, "service-dihal"), dihal_apps_);
  EXPECT_EQ(state_of(dihal_token), TokenState::Valid);
  // MTES's part is gone, its token revoked.
  EXPECT_TRUE(applications(kShared, "mtes").empty());
  EXPECT_EQ(state_of(mtes_token), TokenState::Revoked);
  // The user is now outside MTES's perimeter altogether.
  EXPECT_EQ(t.control_as(kMtesAdmin, "DELETE", "/portal/admin/users/" + kShared).status, 404);

  // The DIHAL OrgAdmin removes the last membership: now the account goes, with its applications.
  r = t.control_as(kDihalAdmin, "DELETE", "/portal/admin/users/" + kShared);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(body_of(r)["account_deleted"].get<bool>());
  EXPECT_EQ(body_of(r)["applications"].size(), 2u);
  EXPECT_FALSE(user(kShared));
  EXPECT_TRUE(applications(kShared, "service-dihal").empty());
  EXPECT_EQ(state_of(dihal_token), TokenState::Revoked);
}

TEST_F(PortalPerimeter, TheOtherOrganisationDeletingFirstLeavesMtesWhole) {
  Response r = t.control_as(kDihalAdmin, "DELETE", "/portal/admin/users/" + kShared);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(body_of(r)["account_deleted"].get<bool>());
  EXPECT_EQ(body_of(r)["organisations"], json({"service-dihal"}));
  EXPECT_TRUE(applications(kShared, "service-dihal").empty());
  EXPECT_EQ(applications(kShared, "mtes"), std::set<std::string>{"APP_SANDBOX_" + kShared});
  ASSERT_TRUE(user(kShared));
  EXPECT_EQ(user(kShared)->memberships.size(), 1u);
}

TEST_F(PortalPerimeter, ASharedAccountCannotBeDeactivatedFromOneOrganisation) {
  const World before = t.sim->snapshot()->world;
  for (const auto& admin : {kMtesAdmin, kDihalAdmin}) {
    SCOPED_TRACE(admin);
    auto r = t.sim->transact(
        [&](Transaction& tx) { return set_managed_user_active(tx, admin, kShared, false); });
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::Forbidden);
    EXPECT_EQ(r.error().code, "OUTSIDE_PERIMETER");
  }
  EXPECT_TRUE(t.sim->snapshot()->world == before);
  EXPECT_EQ(
      t.control_as(kMtesAdmin, "PATCH", "/portal/admin/users/" + kShared, R"({"active": false})")
          .status,
      403);
  // Once DIHAL decommissioned them, MTES alone answers for the account.
  ASSERT_EQ(t.control_as(kDihalAdmin, "POST", "/portal/admin/decommissions",
                         json{{"organisation", "service-dihal"}, {"emails", {kShared}}}.dump())
                .status,
            200);
  EXPECT_EQ(
      t.control_as(kMtesAdmin, "PATCH", "/portal/admin/users/" + kShared, R"({"active": false})")
          .status,
      200);
  // A membership of the universal organisation answers to nobody: it does not block (demo).
  EXPECT_EQ(
      t.control_as(kMtesAdmin, "PATCH", "/portal/admin/users/" + kDemo, R"({"active": false})")
          .status,
      200);
}

}  // namespace
}  // namespace pistesim::test
