// The three journeys of the seeds, walked over HTTP against `pistesim serve`, each from
// registration to a successful API call, reading activation and decision e-mails from the mailbox
// and following their links as a person would (no admin token on the link):
//   - Chorus Pro onboarding (seeds 003/004): Universelle, sandbox then production application;
//   - SNE-Cotation (seed 001): organisation code 984b19, access request, approval, business
//   profile;
//   - SI SIAO (seed 002): enrolment into SERVICE-DIHAL, CGU, access request, approval e-mails.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/served_simulator.h"
#include "wire/encoding.h"

namespace pistesim::test {

namespace {

using nlohmann::json;

// What a person (through the portal) and their client code do against one served simulator.
class Journey {
 public:
  explicit Journey(ServedSimulator& server) : server_(server), http_(server.client()) {}

  // A control API call; `as_session` acts as the logged-in user of that session. Fails the test
  // when the status is not `expect`.
  json control(const std::string& method, const std::string& path, const json& body = nullptr,
               const std::string& as_session = {}, int expect = 200) {
    Request r = control_request(server_, method, path, body);
    if (!as_session.empty()) r.headers.add("X-Pistesim-Session", as_session);
    auto answer = http_->send(r);
    if (!answer) {
      ADD_FAILURE() << method << " " << path << ": " << answer.error().message;
      return json();
    }
    EXPECT_EQ(answer->status, expect) << method << " " << path << ": " << answer->body;
    return json::parse(answer->body, nullptr, false);
  }

  std::string register_and_activate(const std::string& email, const std::string& name,
                                    const std::string& organisation_code = {}) {
    json form = {{"name", name},          {"email", email},
                 {"password", kPassword}, {"password_confirmation", kPassword},
                 {"opt_in_news", true},   {"opt_in_surveys", false},
                 {"cgu_accepted", true},  {"captcha", "PISTE"}};
    if (!organisation_code.empty()) form["organisation_code"] = organisation_code;
    control("POST", "/portal/register", form, {}, 201);
    // Not active yet: ACC-3, ACC-4's single message.
    json refused =
        control("POST", "/portal/login", {{"email", email}, {"password", kPassword}}, {}, 401);
    EXPECT_EQ(refused.value("message", ""),
              "Les identifiants ne correspondent pas, ou vous ne disposez pas d'un compte actif.");
    json mail = only_mail(email, "activation");
    EXPECT_NE(mail.value("body", "").find("Activer votre compte"), std::string::npos);
    EXPECT_NE(mail.value("body", "").find("Activate your Account"), std::string::npos);  // FR + EN
    Response followed = follow(mail["links"][0]["url"].get<std::string>());
    EXPECT_EQ(followed.status, 200) << followed.body;
    return login(email, kPassword);
  }

  std::string login(const std::string& email, const std::string& password) {
    json s = control("POST", "/portal/login", {{"email", email}, {"password", password}});
    return s.value("session", "");
  }

  // The one e-mail of that kind sent to `to` (fails the test unless there is exactly one).
  json only_mail(const std::string& to, const std::string& kind) {
    json list = control("GET", "/mail?to=" + percent_encode(to) + "&kind=" + kind);
    EXPECT_TRUE(list.is_array() && list.size() == 1) << kind << " to " << to << ": " << list;
    return list.is_array() && !list.empty() ? list.back() : json::object();
  }

  // GET a link from an e-mail the way a browser would: no admin token, no session.
  Response follow(const std::string& url) {
    const std::string base = server_.base_url();
    EXPECT_EQ(url.rfind(base, 0), 0u) << url << " does not point at " << base;
    std::string target = url.substr(std::min(base.size(), url.size()));
    Request r = Request::make("GET", target);
    auto answer = http_->send(r);
    if (!answer) ADD_FAILURE() << r.method << " " << r.path << ": " << answer.error().message;
    return answer ? *answer : Response{};
  }

  json application_named(const std::string& session, const std::string& name) {
    json apps = control("GET", "/portal/applications", nullptr, session)["applications"];
    for (const auto& a : apps.is_array() ? apps : json::array())
      if (a.value("name", "") == name) return a;
    ADD_FAILURE() << "no application named " << name << " in " << apps;
    return json::object();
  }

  // The application's first OAuth client: {client_id, client_secret} as the owner reads them.
  std::pair<std::string, std::string> credentials(const std::string& session,
                                                  const std::string& app_id) {
    json app = control("GET", "/portal/applications/" + app_id, nullptr, session);
    std::string id = app["oauth_clients"][0].value("client_id", "");
    json secret =
        control("GET", "/portal/applications/" + app_id + "/oauth-clients/" + id + "/secret",
                nullptr, session);
    return {id, secret.value("client_secret", "")};
  }

  json token(const std::string& channel, const std::pair<std::string, std::string>& client) {
    auto answer = http_->send(
        token_request("/" + channel + "/oauth/api/oauth/token", client.first, client.second));
    EXPECT_EQ(status_of(answer), 200) << outcome(answer);
    return answer ? json::parse(answer->body, nullptr, false) : json();
  }

  Response api(const std::string& channel, const std::string& method, const std::string& path,
               const std::string& access_token, const std::string& body = {},
               const std::vector<Header>& headers = {}) {
    Request r = Request::make(method, "/" + channel + "/api" + path, body);
    r.headers.add("Authorization", "Bearer " + access_token);
    if (!body.empty()) r.headers.add("Content-Type", "application/json");
    for (const auto& h : headers) r.headers.add(h.name, h.value);
    auto answer = http_->send(r);
    if (!answer) ADD_FAILURE() << r.method << " " << r.path << ": " << answer.error().message;
    return answer ? *answer : Response{};
  }

  static constexpr const char* kPassword = "Journey-Piste-2026!";

 private:
  ServedSimulator& server_;
  std::unique_ptr<HttpClient> http_;
};

const char* kApproverPassword = "Approb-Piste-2024!";

}  // namespace

// Seeds 003/004: « Créez votre compte PISTE » with organisation Universelle, the automatic
// SANDBOX application, Chorus Pro CGU then API selection, a Chorus call with a technical account;
// then a production application with its own credentials (PRODUCTION only, OAU-4).
TEST(PortalJourneys, ChorusProOnboarding) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  {
    Journey j(server);
    const std::string email = "integrateur.chorus@pistesim.test";
    std::string session = j.register_and_activate(email, "Intégrateur Chorus");
    ASSERT_FALSE(session.empty());

    json sandbox = j.application_named(session, "APP_SANDBOX_" + email);
    EXPECT_EQ(sandbox.value("organisation_name", ""), "Universelle");
    EXPECT_EQ(sandbox.value("description", ""), "SandBox Application");
    const std::string app_id = sandbox.value("id", "");

    // CGU-2: the API cannot be selected before its CGU are accepted.
    j.control("PUT", "/portal/applications/" + app_id + "/subscriptions/cpro-structures", nullptr,
              session, 409);
    j.control("POST", "/portal/api-cgu",
              {{"accept", {{{"api", "cpro-structures"}, {"channel", "SANDBOX"}}}}}, session);
    j.control("PUT", "/portal/applications/" + app_id + "/subscriptions/cpro-structures", nullptr,
              session);

    json token = j.token("sandbox", j.credentials(session, app_id));
    const std::string account = base64_encode("TECH_1_pistesim@cpro.fr:Chorus-Tech-2024!");
    // 003 §2.B: the technical account's structure connects the application on Qualification.
    auto connect = [&](const std::string& environment, const std::string& application) {
      j.control("POST", "/chorus-pro/raccordements",
                {{"structure", "13001070900025"},
                 {"environment", environment},
                 {"application", application},
                 {"contact_name", "Intégrateur Chorus"},
                 {"contact_email", email}},
                {}, 201);
    };
    connect("QUALIFICATION", "APP_SANDBOX_" + email);
    Response found =
        j.api("sandbox", "POST", "/cpro/structures/v1/rechercher", token.value("access_token", ""),
              R"({"parametres":{}})", {{"cpro-account", account}});
    EXPECT_EQ(found.status, 200) << found.body;
    EXPECT_NE(found.body.find("\"codeRetour\":0"), std::string::npos) << found.body;

    // Production (003 §3.A): name, e-mail, responsible, SIRET as structure information.
    json created = j.control("POST", "/portal/applications",
                             {{"organisation", "universelle"},
                              {"name", "raccordement-chorus-prod"},
                              {"email", email},
                              {"structure_info", "13001070900025"},
                              {"responsible", "Intégrateur Chorus"}},
                             session, 201);
    const std::string prod_id = created.value("id", "");
    EXPECT_EQ(created.value("channel", ""), "PRODUCTION");
    j.control("POST", "/portal/api-cgu",
              {{"accept", {{{"api", "cpro-structures"}, {"channel", "PRODUCTION"}}}}}, session);
    j.control("PUT", "/portal/applications/" + prod_id + "/subscriptions/cpro-structures", nullptr,
              session);
    auto prod_client = j.credentials(session, prod_id);
    // OAU-4: production credentials are unknown on the sandbox OAuth server.
    auto http = server.client();
    auto wrong_channel = http->send(
        token_request("/sandbox/oauth/api/oauth/token", prod_client.first, prod_client.second));
    ASSERT_TRUE(wrong_channel) << wrong_channel.error().message;
    EXPECT_EQ(wrong_channel->status, 400);
    json prod_token = j.token("production", prod_client);
    connect("PRODUCTION", "raccordement-chorus-prod");
    Response prod_call = j.api("production", "POST", "/cpro/structures/v1/rechercher",
                               prod_token.value("access_token", ""), R"({"parametres":{}})",
                               {{"cpro-account", account}});
    EXPECT_EQ(prod_call.status, 200) << prod_call.body;
  }
  EXPECT_EQ(server.stop(), 0);
}

// Seed 001: organisation code 984b19 (MTES), access request to SNE-Cotation site-ecole, approval
// by its administrators, a token carrying the new scope, ERRAUTUSR0001 until a business profile.
TEST(PortalJourneys, SneCotation) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  {
    Journey j(server);
    const std::string email = "mon_application_demo@example.com";
    std::string session = j.register_and_activate(email, "Mon_application_demo", "984b19");
    json sandbox = j.application_named(session, "APP_SANDBOX_" + email);
    EXPECT_EQ(sandbox.value("organisation_name", ""), "MTES");
    const std::string app_id = sandbox.value("id", "");
    auto client = j.credentials(session, app_id);

    j.control("POST", "/portal/access-requests",
              {{"api", "sne-cotation"},
               {"application", app_id},
               {"motif", "Cotation des demandes de logement social (site école)"},
               {"scopes", {"resource.READ"}}},
              session, 201);
    j.only_mail(email, "access_request_confirmation");
    json before = j.token("sandbox", client);
    EXPECT_EQ(j.api("sandbox", "GET", "/mtes/sne-cotation/v1.0/healthcheck",
                    before.value("access_token", ""))
                  .status,
              403);  // pending (REQ-2)

    const std::string approver = "api-platau-administration@developpement-durable.gouv.fr";
    std::string admin = j.login(approver, kApproverPassword);
    json pending = j.control("GET", "/portal/admin/access-requests", nullptr, admin);
    ASSERT_TRUE(pending.is_array());
    ASSERT_EQ(pending.size(), 1u) << pending;
    j.control("POST", "/portal/admin/access-requests/approve",
              {{"ids", {pending[0].value("id", "")}}, {"motif", "Accès accordé"}}, admin);
    json decision = j.only_mail(email, "access_request_approved");
    EXPECT_NE(decision.value("body", "").find("Accès accordé"), std::string::npos) << decision;

    // A token issued before the approval keeps its scopes; a new one carries resource.READ.
    EXPECT_EQ(before.value("scope", ""), "openid");
    json after = j.token("sandbox", client);
    EXPECT_EQ(after.value("scope", ""), "openid resource.READ");
    Response gated = j.api("sandbox", "GET", "/mtes/sne-cotation/v1.0/healthcheck",
                           after.value("access_token", ""));
    EXPECT_EQ(gated.status, 200);
    EXPECT_NE(gated.body.find("ERRAUTUSR0001"), std::string::npos) << gated.body;

    j.control("POST", "/applications/" + app_id + "/business-profiles", {{"api", "sne-cotation"}});
    Response ok = j.api("sandbox", "GET", "/mtes/sne-cotation/v1.0/healthcheck",
                        after.value("access_token", ""));
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(json::parse(ok.body, nullptr, false), json({{"version", "1.0"}, {"etat", "OK"}}));
  }
  EXPECT_EQ(server.stop(), 0);
}

// Seed 002: a registered user is enrolled into SERVICE-DIHAL by its OrgAdmin, sees
// APP_DIHAL_SBX_<email>, accepts nothing more than needed, requests SISIAO - API MENAGE, reads the
// confirmation and the acceptance e-mails (« Votre demande est validée ») and calls /healthcheck.
TEST(PortalJourneys, SiSiaoEnrolmentAndApproval) {
  ServedSimulator server;
  ASSERT_TRUE(server.started()) << server.output();
  {
    Journey j(server);
    const std::string email = "partenaire.siao@pistesim.test";
    std::string session = j.register_and_activate(email, "Partenaire SIAO");

    // Before the enrolment the API is not in this user's catalogue.
    j.control("GET", "/portal/catalogue/sisiao-menage", nullptr, session, 404);

    const std::string orgadmin = "api.externe.sisiao@dihal.gouv.fr";
    std::string admin = j.login(orgadmin, kApproverPassword);
    json report = j.control("POST", "/portal/admin/enrolments",
                            {{"organisation", "service-dihal"}, {"emails", {email}}}, admin);
    EXPECT_NE(report.dump().find("SANDBOX: L'utilisateur a été ajouté avec succès."),
              std::string::npos)
        << report;
    EXPECT_NE(report.dump().find("PRODUCTION: L'utilisateur a été ajouté avec succès."),
              std::string::npos)
        << report;
    j.only_mail(email, "enrolment");

    json app = j.application_named(session, "APP_DIHAL_SBX_" + email);
    const std::string app_id = app.value("id", "");
    j.control("GET", "/portal/catalogue/sisiao-menage", nullptr, session);

    // 002 §5: the API's CGU come before the access request.
    const json request = {{"api", "sisiao-menage"},
                          {"application", app_id},
                          {"motif", "Partenaire SIAO 75 — consultation des ménages"},
                          {"scopes", {"dihal.sisiaoapimenage"}}};
    json refused = j.control("POST", "/portal/access-requests", request, session, 409);
    EXPECT_EQ(refused.value("code", ""), "CGU_NOT_ACCEPTED") << refused;
    j.control("POST", "/portal/api-cgu",
              {{"accept", {{{"api", "sisiao-menage"}, {"channel", "SANDBOX"}}}}}, session);
    j.control("POST", "/portal/access-requests", request, session, 201);
    json confirmation = j.only_mail(email, "access_request_confirmation");
    EXPECT_NE(confirmation.value("subject", "").find("SISIAO - API MENAGE"), std::string::npos);
    EXPECT_NE(confirmation.value("body", "").find("a bien été prise en compte"), std::string::npos)
        << confirmation;

    json pending = j.control("GET", "/portal/admin/access-requests", nullptr, admin);
    ASSERT_TRUE(pending.is_array() && pending.size() == 1) << pending;
    j.control("POST", "/portal/admin/access-requests/approve",
              {{"ids", {pending[0].value("id", "")}}, {"motif", "Votre demande est validée"}},
              admin);
    json accepted = j.only_mail(email, "access_request_approved");
    EXPECT_NE(accepted.value("body", "").find("Message de l'approbateur"), std::string::npos);
    EXPECT_NE(accepted.value("body", "").find("Votre demande est validée"), std::string::npos);

    json token = j.token("sandbox", j.credentials(session, app_id));
    EXPECT_EQ(token.value("scope", ""), "openid dihal.sisiaoapimenage");
    Response health = j.api("sandbox", "GET", "/dihal/sisiao-menage/v1/healthcheck",
                            token.value("access_token", ""));
    EXPECT_EQ(health.status, 200) << health.body;
  }
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace pistesim::test
