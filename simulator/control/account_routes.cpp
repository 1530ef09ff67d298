// Control API routes: accounts (ACC), user management (ADM-2), the PISTE CGU version in force and
// the operator's view of users. A thin JSON layer over portal/accounts.h and
// portal/user_management.h.
#include "control/browser_session.h"
#include "control/router.h"
#include "control/views.h"
#include "core/simulator.h"
#include "portal/accounts.h"
#include "portal/user_management.h"
#include "wire/markup.h"

namespace pistesim {

namespace {

// Reads an optional string field into `out`; false (with *err set) if it has another type.
bool read(const Body& body, const char* key, std::string& out, Response* err) {
  auto v = string_field(body, key, err);
  if (!v) return false;
  out = std::move(*v);
  return true;
}

bool read(const Body& body, const char* key, bool& out, Response* err) {
  auto v = bool_field(body, key, out, err);
  if (!v) return false;
  out = *v;
  return true;
}

std::string organisation_label(const std::string& name, Role role) {
  return name + " (" + std::string(role_label(role)) + ")";
}

json organisations_json(const World& world, const std::vector<Membership>& memberships) {
  json out = json::array();
  for (const auto& m : memberships) {
    std::string name = m.organisation;
    for (const auto& o : world.organisations)
      if (o.id == m.organisation) name = o.name;
    out.push_back({{"organisation", m.organisation},
                   {"name", name},
                   {"role", to_string(m.role)},
                   {"role_label", role_label(m.role)},
                   {"label", organisation_label(name, m.role)}});
  }
  return out;
}

// « Information de connexion » and « Préférences de contact » (000 §3.2).
json profile_json(const AccountProfile& p) {
  json orgs = json::array();
  for (const auto& o : p.organisations)
    orgs.push_back({{"organisation", o.id},
                    {"name", o.name},
                    {"role", to_string(o.role)},
                    {"role_label", role_label(o.role)},
                    {"label", organisation_label(o.name, o.role)}});
  return {{"email", p.email},
          {"name", p.name},
          {"organisations", orgs},
          {"opt_in_news", p.opt_in_news},
          {"opt_in_surveys", p.opt_in_surveys},
          {"must_change_password", p.must_change_password}};
}

// A row of « Utilisateurs »: Nom, Identifiant, Statut, Email, Organisation / Rôle, Enregistré le.
json managed_user_json(const World& world, const User& u) {
  json orgs = organisations_json(world, u.memberships);
  json labels = json::array();
  for (const auto& o : orgs) labels.push_back(o["label"]);
  return {{"name", u.name},
          {"identifier", u.email},
          {"status", user_status_label(u)},
          {"email", u.email},
          {"organisations", orgs},
          {"organisation_roles", labels},
          {"registered_at", format_time(u.registered_at)},
          {"active", u.active},
          {"must_change_password", u.must_change_password}};
}

json user_now(Simulator& sim, const std::string& email) {
  auto snap = sim.snapshot();
  const User* u = snap->index.user(email);
  return u ? user_json(snap->world, *u) : json::object();
}

// The links users follow from their e-mails are opened by browsers: they get a page.
bool prefers_html(const Request& r) {
  const std::string accept = r.headers.get("Accept");
  size_t html = accept.find("text/html");
  size_t json_pos = accept.find("application/json");
  return html != std::string::npos && (json_pos == std::string::npos || html < json_pos);
}

Response html_page(int status, std::string_view title, std::string_view message) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/html; charset=utf-8");
  r.headers.set("Cache-Control", "no-store");
  r.body = "<!doctype html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>" +
           html_escape(title) + "</title></head><body><h1>" + html_escape(title) + "</h1><p>" +
           html_escape(message) +
           // Back to the portal's pages (docs/console.md), where the user logs in next.
           "</p><p><a href=\"/#/connexion\">Se connecter sur le portail</a></p></body></html>\n";
  return r;
}

// An e-mailed link's answer: JSON, or a page for a browser.
Response link_answer(const ControlCall& c, int status, std::string_view title, const json& body) {
  if (!prefers_html(c.request)) return json_response(status, body);
  return html_page(status, title, body.value("message", ""));
}

// --- ACC-1, ACC-3: registration and activation -----------------------------------------------

// POST /portal/register
Response register_account(ControlCall& c) {
  Response bad;
  RegistrationInput in;
  if (!read(c.body, "name", in.name, &bad) || !read(c.body, "email", in.email, &bad) ||
      !read(c.body, "password", in.password, &bad) ||
      !read(c.body, "password_confirmation", in.password_confirmation, &bad) ||
      !read(c.body, "organisation_code", in.organisation_code, &bad) ||
      !read(c.body, "opt_in_news", in.opt_in_news, &bad) ||
      !read(c.body, "opt_in_surveys", in.opt_in_surveys, &bad) ||
      !read(c.body, "cgu_accepted", in.cgu_accepted, &bad) ||
      !read(c.body, "captcha", in.captcha, &bad))
    return bad;
  auto r = c.sim.transact([&](Transaction& tx) { return register_user(tx, in); });
  return answer(
      r,
      [&](const User& u) {
        return json{{"user", user_now(c.sim, u.email)},
                    {"message",
                     "Votre inscription a bien été prise en compte. Vous recevrez par email les "
                     "informations permettant de finaliser votre inscription."}};
      },
      201);
}

// GET /portal/activate?token=… (open: followed from the e-mail)
Response activate(ControlCall& c) {
  const std::string token = c.query("token");
  auto r = c.sim.transact([&](Transaction& tx) { return activate_account(tx, token); });
  if (!r.ok()) {
    if (prefers_html(c.request))
      return html_page(http_status(r.error().kind), "Activation du compte", r.error().message);
    return error_response(r.error());
  }
  return link_answer(
      c, 200, "Activation du compte",
      {{"email", r->email},
       {"status", "active"},
       {"sandbox_application", r->sandbox_application},
       {"message", "Votre compte est activé, vous pouvez à présent vous connecter."}});
}

// --- ACC-4: login, logout --------------------------------------------------------------------

// POST /portal/login {email, password}
Response login_route(ControlCall& c) {
  Response bad;
  LoginInput in;
  if (!read(c.body, "email", in.email, &bad) || !read(c.body, "password", in.password, &bad))
    return bad;
  auto snap = c.sim.snapshot();
  auto r = login(snap->world, c.sim.sessions(), c.sim.clock().now_ms(), in);
  Response response = answer(r, [&](const LoginResult& l) {
    json next = json::array();
    if (l.platform_cgu_required)
      next.push_back(
          "Afin d'accéder au site, il est nécessaire d'accepter les CGU de PISTE "
          "(POST /portal/cgu/accept).");
    if (l.must_change_password)
      next.push_back(
          "Veuillez changer votre mot de passe temporaire depuis votre Profil (POST "
          "/portal/password).");
    json j = {{"session", l.session},
              {"email", l.email},
              {"platform_cgu_version", snap->world.settings.platform_cgu_version},
              {"platform_cgu_required", l.platform_cgu_required},
              {"must_change_password", l.must_change_password},
              {"next", next}};
    // A browser gets the session as an HttpOnly cookie, out of its scripts' reach, and the CSRF
    // token its page sends back (control/browser_session.h).
    if (c.browser) {
      j.erase("session");
      j["csrf"] = portal_csrf_token(c.sim, l.session);
    }
    return j;
  });
  if (c.browser && r.ok())
    response.headers.set("Set-Cookie", session_cookie(kSessionCookie, r.value().session));
  return response;
}

// POST /portal/logout (X-Pistesim-Session with the admin token, or the browser's cookie)
Response logout(ControlCall& c) {
  const std::string* header = c.admin ? c.request.headers.find("X-Pistesim-Session") : nullptr;
  auto session =
      header ? std::optional<std::string>(*header) : request_cookie(c.request, kSessionCookie);
  if (!session)
    return error(401, "NOT_LOGGED_IN",
                 {"Aucune session à fermer (en-tête X-Pistesim-Session).",
                  "no session to close (header X-Pistesim-Session)."});
  Response r = json_response(200, {{"logged_out", c.sim.sessions().close(*session)}});
  if (!header) r.headers.set("Set-Cookie", cleared_cookie(kSessionCookie));
  return r;
}

// --- ACC-5: platform CGU ---------------------------------------------------------------------

// GET /portal/cgu: the version in force, and whether the acting user (if any) accepted it.
Response get_cgu(ControlCall& c) {
  auto snap = c.sim.snapshot();
  json j = {{"version", snap->world.settings.platform_cgu_version}};
  if (auto actor = c.actor(); actor.ok())
    if (const User* u = snap->index.user(*actor))
      j["accepted"] = u->platform_cgu_version == snap->world.settings.platform_cgu_version;
  return json_response(200, j);
}

// POST /portal/cgu/accept
Response accept_cgu(ControlCall& c) {
  auto r = c.sim.transact([&](Transaction& tx) { return accept_platform_cgu(tx, c.user); });
  return answer(r, [&](const Done&) {
    return json{{"version", c.sim.snapshot()->world.settings.platform_cgu_version},
                {"accepted", true}};
  });
}

// POST /portal/cgu/refuse
Response refuse_cgu(ControlCall& c) {
  auto r = c.sim.transact([&](Transaction& tx) { return refuse_platform_cgu(tx, c.user); });
  return answer(r, [](const Done&) {
    return json{{"access_denied", true},
                {"message",
                 "Afin d'accéder au site, il est nécessaire d'accepter les CGU. En refusant, "
                 "l'accès au site vous est refusé."}};
  });
}

// PUT /platform-cgu {"version": "2"} (operator): users must accept again.
Response put_platform_cgu(ControlCall& c) {
  Response bad;
  std::string version;
  if (!read(c.body, "version", version, &bad)) return bad;
  auto r = c.sim.transact([&](Transaction& tx) { return publish_platform_cgu(tx, version); });
  return answer(r, [&](const std::string& previous) {
    return json{{"version", c.sim.snapshot()->world.settings.platform_cgu_version},
                {"previous", previous}};
  });
}

// GET /platform-cgu
Response get_platform_cgu(ControlCall& c) {
  return json_response(200, {{"version", c.sim.snapshot()->world.settings.platform_cgu_version}});
}

// --- ACC-6: profile --------------------------------------------------------------------------

// GET /portal/profile
Response get_profile(ControlCall& c) {
  return answer(view_profile(c.sim.snapshot()->world, c.user), profile_json);
}

// PATCH /portal/profile {"opt_in_news": false, "opt_in_surveys": true}
Response patch_profile(ControlCall& c) {
  Response bad;
  ContactPreferences prefs;
  for (auto [key, slot] : {std::pair{"opt_in_news", &prefs.opt_in_news},
                           std::pair{"opt_in_surveys", &prefs.opt_in_surveys}}) {
    if (!c.body.contains(key)) continue;
    auto v = bool_field(c.body, key, false, &bad);
    if (!v) return bad;
    *slot = *v;
  }
  auto r = c.sim.transact(
      [&](Transaction& tx) { return update_contact_preferences(tx, c.user, prefs); });
  return answer(r, profile_json);
}

// --- ACC-7, ACC-8: passwords -----------------------------------------------------------------

// POST /portal/password {current_password, new_password, password_confirmation}
Response post_password(ControlCall& c) {
  Response bad;
  PasswordChangeInput in;
  if (!read(c.body, "current_password", in.current_password, &bad) ||
      !read(c.body, "new_password", in.new_password, &bad) ||
      !read(c.body, "password_confirmation", in.password_confirmation, &bad))
    return bad;
  auto r = c.sim.transact([&](Transaction& tx) { return change_password(tx, c.user, in); });
  return answer(r, [](const Done&) {
    return json{{"changed", true},
                {"sessions_closed", true},
                {"message", "Vous devez vous reconnecter une fois le mot de passe modifié."}};
  });
}

// POST /portal/password-reset {email}
Response post_password_reset(ControlCall& c) {
  Response bad;
  std::string email;
  if (!read(c.body, "email", email, &bad)) return bad;
  auto r = c.sim.transact([&](Transaction& tx) { return request_password_reset(tx, email); });
  return answer(r, [](const Done&) {
    return json{{"message", "La procédure de réinitialisation vous sera envoyée par mail."}};
  });
}

// GET /portal/password-reset/confirm?token=… (open: followed from the e-mail)
Response confirm_password_reset_route(ControlCall& c) {
  const std::string token = c.query("token");
  auto r = c.sim.transact([&](Transaction& tx) { return confirm_password_reset(tx, token); });
  if (!r.ok()) {
    if (prefers_html(c.request))
      return html_page(http_status(r.error().kind), "Mot de passe oublié", r.error().message);
    return error_response(r.error());
  }
  return link_answer(c, 200, "Mot de passe oublié",
                     {{"email", *r},
                      {"message",
                       "Votre demande est validée : vous allez recevoir un email « Changement de "
                       "mot de passe réussi » avec votre nouveau mot de passe."}});
}

// --- ADM-2: user management ------------------------------------------------------------------

// GET /portal/admin/users
Response list_users_route(ControlCall& c) {
  auto snap = c.sim.snapshot();
  return answer(list_managed_users(snap->world, c.user), [&](const std::vector<User>& users) {
    json rows = json::array();
    for (const auto& u : users) rows.push_back(managed_user_json(snap->world, u));
    return json{{"count", users.size()}, {"users", rows}};
  });
}

// POST /portal/admin/users {email, name, organisation, role, password_mode, password}
Response create_user_route(ControlCall& c) {
  Response bad;
  NewUserInput in;
  std::string role, mode;
  if (!read(c.body, "email", in.email, &bad) || !read(c.body, "name", in.name, &bad) ||
      !read(c.body, "organisation", in.organisation, &bad) || !read(c.body, "role", role, &bad) ||
      !read(c.body, "password_mode", mode, &bad) || !read(c.body, "password", in.password, &bad))
    return bad;
  if (role == "orgadmin")
    in.role = Role::OrgAdmin;
  else if (!role.empty() && role != "developer")
    return error(400, "INVALID_FIELD",
                 {"« role » doit valoir \"developer\" ou \"orgadmin\"",
                  "« role » must be \"developer\" or \"orgadmin\""},
                 "role");
  if (mode == "manual")
    in.password_mode = PasswordMode::Manual;
  else if (!mode.empty() && mode != "generated")
    return error(400, "INVALID_FIELD",
                 {"« password_mode » doit valoir \"generated\" ou \"manual\"",
                  "« password_mode » must be \"generated\" or \"manual\""},
                 "password_mode");
  auto r = c.sim.transact([&](Transaction& tx) { return create_managed_user(tx, c.user, in); });
  return answer(
      r, [&](const User& u) { return user_now(c.sim, u.email); }, 201);
}

// PATCH /portal/admin/users/{email} {"active": false}
Response patch_user_route(ControlCall& c) {
  Response bad;
  auto active = bool_field(c.body, "active", false, &bad);  // required: never the fallback
  if (!active) return bad;
  auto r = c.sim.transact(
      [&](Transaction& tx) { return set_managed_user_active(tx, c.user, c.params[0], *active); });
  return answer(r, [&](const User& u) { return user_now(c.sim, u.email); });
}

// DELETE /portal/admin/users/{email}
Response delete_user_route(ControlCall& c) {
  auto r =
      c.sim.transact([&](Transaction& tx) { return delete_managed_user(tx, c.user, c.params[0]); });
  return answer(r, [](const DeletedUser& d) {
    return json{{"user", d.email},
                {"account_deleted", d.account_deleted},
                {"organisations", d.organisations},
                {"applications", d.applications}};
  });
}

// --- Operator's view -------------------------------------------------------------------------

// GET /users
Response all_users(ControlCall& c) {
  auto snap = c.sim.snapshot();
  json users = json::array();
  for (const auto& u : snap->world.users) users.push_back(user_json(snap->world, u));
  return json_response(200, {{"count", snap->world.users.size()}, {"users", users}});
}

// GET /users/{email}
Response one_user(ControlCall& c) {
  auto snap = c.sim.snapshot();
  const User* u = snap->index.user(c.params[0]);
  if (!u)
    return error(404, "UNKNOWN_USER",
                 {"Utilisateur inconnu : " + c.params[0], "unknown user: " + c.params[0]}, "email");
  return json_response(200, user_json(snap->world, *u));
}

}  // namespace

void register_account_routes(Router& r) {
  r.add("POST", "/portal/register", register_account,
        {.access = Access::Public,
         .fields = {"name", "email", "password", "password_confirmation", "organisation_code",
                    "opt_in_news", "opt_in_surveys", "cgu_accepted", "captcha"}});
  r.add("GET", "/portal/activate", activate, {.access = Access::Open, .query = {"token"}});
  r.add("POST", "/portal/login", login_route,
        {.access = Access::Public, .fields = {"email", "password"}});
  r.add("POST", "/portal/logout", logout, {.access = Access::Public});
  r.add("GET", "/portal/cgu", get_cgu, {.access = Access::Public});
  r.add("POST", "/portal/cgu/accept", accept_cgu, {.as_user = true});
  r.add("POST", "/portal/cgu/refuse", refuse_cgu, {.as_user = true});
  r.add("GET", "/portal/profile", get_profile, {.as_user = true});
  r.add("PATCH", "/portal/profile", patch_profile,
        {.as_user = true, .fields = {"opt_in_news", "opt_in_surveys"}});
  r.add("POST", "/portal/password", post_password,
        {.as_user = true, .fields = {"current_password", "new_password", "password_confirmation"}});
  r.add("POST", "/portal/password-reset", post_password_reset,
        {.access = Access::Public, .fields = {"email"}});
  r.add("GET", "/portal/password-reset/confirm", confirm_password_reset_route,
        {.access = Access::Open, .query = {"token"}});
  r.add("GET", "/portal/admin/users", list_users_route, {.as_user = true});
  r.add("POST", "/portal/admin/users", create_user_route,
        {.as_user = true,
         .fields = {"email", "name", "organisation", "role", "password_mode", "password"}});
  r.add("PATCH", "/portal/admin/users/{email}", patch_user_route,
        {.as_user = true, .required = {"active"}});
  r.add("DELETE", "/portal/admin/users/{email}", delete_user_route, {.as_user = true});
  r.add("PUT", "/platform-cgu", put_platform_cgu, {.fields = {"version"}});
  r.add("GET", "/platform-cgu", get_platform_cgu);
  r.add("GET", "/users", all_users);
  r.add("GET", "/users/{email}", one_user);
}

}  // namespace pistesim
