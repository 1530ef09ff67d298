#include "portal/access_requests.h"

#include <algorithm>

#include "base/text.h"
#include "crypto/secrets.h"
#include "mail/access_request_mails.h"
#include "portal/actor.h"
#include "portal/api_cgu.h"
#include "portal/catalogue.h"

namespace pistesim {

namespace {

constexpr size_t kMotifMin = 3;    // 000 §10.1.2: « au minimum 3 caractères »
constexpr size_t kMotifMax = 200;  // « et maximum 200 caractères »

// REQ-1's motif rule, applied to every motif an access request carries. `label` names it in the
// message (« Le motif de la demande »).
std::optional<PortalError> check_motif(std::string_view raw, std::string_view label,
                                       std::string_view field, std::string* out) {
  std::string motif = clean_field(raw);
  const std::string l(label);
  if (raw.empty())
    return portal_error(ErrorKind::InvalidInput, "MOTIF_REQUIRED", l + " est obligatoire.",
                        std::string(field));
  if (motif.empty())
    return portal_error(ErrorKind::InvalidInput, "MOTIF_BLANK",
                        l + " ne peut pas être composé uniquement d'espaces.", std::string(field));
  size_t n = code_points(motif);
  if (n < kMotifMin)
    return portal_error(ErrorKind::InvalidInput, "MOTIF_TOO_SHORT",
                        l + " doit contenir au minimum 3 caractères.", std::string(field));
  if (n > kMotifMax)
    return portal_error(ErrorKind::InvalidInput, "MOTIF_TOO_LONG",
                        l + " doit contenir au maximum 200 caractères.", std::string(field));
  *out = std::move(motif);
  return std::nullopt;
}

std::vector<std::string> dedupe(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& s : items)
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  return out;
}

const Organisation* find_organisation(const World& w, std::string_view id) {
  for (const auto& o : w.organisations)
    if (o.id == id) return &o;
  return nullptr;
}

const Api* find_api(const World& w, std::string_view id) {
  for (const auto& a : w.apis)
    if (a.id == id) return &a;
  return nullptr;
}

const Application* find_application(const World& w, std::string_view id) {
  for (const auto& a : w.applications)
    if (a.id == id) return &a;
  return nullptr;
}

// CAT-1 (portal/catalogue.h): public APIs, and those reserved to one of the user's organisations.
bool visible_to(const Api& api, const User& user) {
  return api_visible_to(api, &user);
}

// The choice documented in the header: owner, member of a non-universal organisation, OrgAdmin.
bool may_target(const World& w, const User& user, const Application& app) {
  if (iequals(app.owner, user.email)) return true;
  if (user.is_orgadmin_of(app.organisation)) return true;
  if (!user.membership(app.organisation)) return false;
  const Organisation* org = find_organisation(w, app.organisation);
  return org && !org->universal;
}

AccessRequestFacts facts_of(const World& w, const AccessRequest& r) {
  AccessRequestFacts f;
  const Api* api = find_api(w, r.api);
  f.api_name = api ? api->name : r.api;
  const Application* app = find_application(w, r.application);
  f.application_name = app ? app->name : r.application;
  if (app) {
    const Organisation* org = find_organisation(w, app->organisation);
    f.organisation_name = org ? org->name : app->organisation.str();
  }
  f.motif = r.motif;
  f.scopes = strings_of(r.scopes);
  f.requested_at = r.requested_at;
  return f;
}

// NOT-2: of these addresses, the users who opted in to PISTE notifications, each once.
std::vector<std::string> opted_in(const World& w, std::initializer_list<std::string_view> emails) {
  std::vector<std::string> out;
  for (std::string_view e : emails) {
    if (e.empty()) continue;
    const User* u = nullptr;
    for (const auto& candidate : w.users)
      if (iequals(candidate.email, e)) u = &candidate;
    if (!u || !u->opt_in_news) continue;
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const std::string& o) { return iequals(o, u->email); });
    if (!seen) out.push_back(u->email);
  }
  return out;
}

// REQ-6, NOT-2: the requester (000 §11.3: « l'adresse mail renseignée sur le formulaire ») and
// the application's owner (« Une notification est envoyée aux propriétaires de l'application »).
void send_decision(Transaction& tx, const AccessRequest& r) {
  const Application* app = find_application(tx.world, r.application);
  const bool approved = r.status == RequestStatus::Approved;
  for (const auto& to : opted_in(tx.world, {r.requester, app ? app->owner.str() : std::string()}))
    tx.send(access_request_decision_mail(to, facts_of(tx.world, r), approved, r.decision_message));
}

// The application's access to the API becomes `status` with these scopes (created if absent;
// the quota override and counter of an existing one are kept).
void set_access(Application& app, const std::string& api, SubscriptionStatus status,
                const std::vector<Interned>& scopes) {
  Subscription* sub = app.subscription(api);
  if (!sub) {
    Subscription fresh;
    fresh.api = api;
    app.subscriptions.push_back(std::move(fresh));
    sub = &app.subscriptions.back();
  }
  sub->status = status;
  sub->scopes = scopes;
}

PortalResult<std::vector<AccessRequest>> decide(Transaction& tx, std::string_view actor,
                                                const DecisionInput& in, bool approve) {
  auto who = acting_user(tx, actor);
  if (!who) return who.error();
  const std::string approver = (*who)->email;

  std::string message;
  // 000 §11.3: a rejection needs its motif; an approval message is optional.
  if (!approve || !trim_typed(in.motif).empty()) {
    auto bad = check_motif(in.motif, approve ? "Le message de l'approbateur" : "Le motif de rejet",
                           "motif", &message);
    if (bad) return *bad;
  }
  const auto ids = dedupe(in.ids);
  if (ids.empty())
    return portal_error(ErrorKind::InvalidInput, "IDS_REQUIRED",
                        "Sélectionnez au moins une demande d'accès.", "ids");

  // All or nothing: every request is checked before any is decided.
  for (const auto& id : ids) {
    const AccessRequest* r = tx.access_request(id);
    if (!r)
      return portal_error(ErrorKind::NotFound, "UNKNOWN_ACCESS_REQUEST",
                          "Demande d'accès inconnue : " + id, "ids", {id});
    const Api* api = tx.api(r->api);
    if (!api || !is_approver(*api, approver))
      return portal_error(ErrorKind::Forbidden, "NOT_APPROVER",
                          "Vous n'êtes pas approbateur de l'API de la demande " + id + ".", "ids",
                          {id});
    if (r->status != RequestStatus::Pending)
      return portal_error(ErrorKind::Conflict, "REQUEST_ALREADY_DECIDED",
                          "La demande " + id + " a déjà été " +
                              (r->status == RequestStatus::Approved ? "acceptée." : "rejetée."),
                          "ids", {id});
    if (approve && !tx.application(r->application))
      return portal_error(ErrorKind::Conflict, "APPLICATION_DELETED",
                          "L'application de la demande " + id + " n'existe plus.", "ids", {id});
  }

  std::vector<AccessRequest> decided;
  for (const auto& id : ids) {
    AccessRequest& r = *tx.access_request(id);
    r.status = approve ? RequestStatus::Approved : RequestStatus::Rejected;
    r.decided_at = tx.now;
    r.decided_by = approver;
    r.decision_message = message;
    // REQ-6: approval grants the requested scopes (tokens issued before keep theirs); rejection
    // leaves the application without access.
    if (Application* app = tx.application(r.application))
      set_access(*app, r.api, approve ? SubscriptionStatus::Approved : SubscriptionStatus::Rejected,
                 r.scopes);
    send_decision(tx, r);
    decided.push_back(r);
  }
  return decided;
}

}  // namespace

bool is_approver(const Api& api, std::string_view email) {
  return !email.empty() && std::any_of(api.approvers.begin(), api.approvers.end(),
                                       [&](const std::string& a) { return iequals(a, email); });
}

PortalResult<AccessRequest> submit_access_request(Transaction& tx, std::string_view actor,
                                                  const AccessRequestInput& in) {
  auto who = acting_user(tx, actor);
  if (!who) return who.error();
  const User user = **who;  // a copy: later edits of the world cannot move it

  if (in.api.empty())
    return portal_error(ErrorKind::InvalidInput, "API_REQUIRED", "L'API est obligatoire.", "api");
  const Api* found_api = tx.api(in.api);
  if (!found_api || !visible_to(*found_api, user))
    return portal_error(ErrorKind::NotFound, "UNKNOWN_API", "API inconnue : " + in.api, "api");
  const Api api = *found_api;

  if (in.application.empty())
    return portal_error(ErrorKind::InvalidInput, "APPLICATION_REQUIRED",
                        "L'application cible est obligatoire.", "application");
  const Application* found_app = tx.application(in.application);
  if (!found_app)
    return portal_error(ErrorKind::NotFound, "UNKNOWN_APPLICATION",
                        "Application inconnue : " + in.application, "application");
  if (!may_target(tx.world, user, *found_app))
    return portal_error(
        ErrorKind::Forbidden, "APPLICATION_NOT_ALLOWED",
        "L'application " + found_app->name + " n'est pas rattachée à votre organisation.",
        "application");
  const std::string app_id = found_app->id;
  const Channel channel = found_app->channel;
  const std::string organisation = found_app->organisation;

  std::string motif;
  if (auto bad = check_motif(in.motif, "Le motif de la demande", "motif", &motif)) return *bad;

  // Scopes are kept in the API's order, each once.
  std::vector<Interned> scopes;
  std::vector<std::string> unknown;
  for (const auto& s : dedupe(in.scopes))
    if (!api.has_scope(s)) unknown.push_back(s);
  if (!unknown.empty()) {
    std::string list;
    for (const auto& s : unknown) list += (list.empty() ? "" : ", ") + s;
    return portal_error(ErrorKind::InvalidInput, "UNKNOWN_SCOPE",
                        "Scope inconnu pour l'API " + api.name + " : " + list, "scopes", unknown);
  }
  for (const auto& s : api.scopes)
    if (std::find(in.scopes.begin(), in.scopes.end(), s) != in.scopes.end()) scopes.push_back(s);
  // Choice: an API that declares no scope is requested with none.
  if (scopes.empty() && !api.scopes.empty())
    return portal_error(ErrorKind::InvalidInput, "SCOPES_REQUIRED",
                        "Sélectionnez au moins un scope de l'API " + api.name + ".", "scopes");

  if (!api.published_on(channel))
    return portal_error(ErrorKind::Conflict, "WRONG_CHANNEL",
                        "L'API " + api.name + " n'est pas publiée sur l'environnement " +
                            std::string(to_string(channel)) + " de l'application.",
                        "application");
  // CGU-2: the acting user accepted the API's CGU for the channel they ask access on.
  if (!cgu_satisfied(tx.world, user, api, channel)) return cgu_not_accepted_error(api, channel);

  // The choice documented in the header: a pending request is replaced by the new one.
  for (auto& old : tx.world.access_requests)
    if (old.application == app_id && old.api == api.id && old.status == RequestStatus::Pending) {
      old.status = RequestStatus::Rejected;
      old.decided_at = tx.now;
      old.decided_by = user.email;
      old.decision_message = std::string(kRequestSupersededMessage);
    }

  AccessRequest r;
  r.id = random_uuid();
  r.api = api.id;
  r.application = app_id;
  r.requester = user.email;
  r.motif = motif;
  r.scopes = scopes;
  r.requested_at = tx.now;
  // REQ-4 / 000 §11.7: an OrgAdmin's request for their perimeter is approved at once.
  const bool by_orgadmin = user.is_orgadmin_of(organisation);
  const bool at_once = by_orgadmin || !api.approval_required;
  if (at_once) {
    r.status = RequestStatus::Approved;
    r.decided_at = tx.now;
    if (by_orgadmin) {
      r.decided_by = user.email;
    } else {
      // Nobody decided: decided_by stays empty (it holds e-mails only, world files check it).
      r.decision_message = std::string(kGrantedWithoutValidationMessage);
    }
  }
  // REQ-2: the request replaces the application's access to the API; until approved, the
  // gateway answers 403.
  set_access(*tx.application(app_id), api.id,
             at_once ? SubscriptionStatus::Approved : SubscriptionStatus::Pending, scopes);
  tx.world.access_requests.push_back(r);

  // REQ-3: the requester's confirmation (not an opt-in matter: they just asked), the approvers'
  // notice; or, granted at once, the decision.
  const AccessRequestFacts facts = facts_of(tx.world, r);
  tx.send(access_request_confirmation_mail(user.email, facts, tx.portal_page("/connexion")));
  if (at_once)
    send_decision(tx, r);
  else
    for (const auto& to : api.approvers)
      tx.send(
          access_request_to_review_mail(to, user.email, facts, tx.portal_page("/administration")));
  return r;
}

PortalResult<std::vector<AccessRequest>> my_access_requests(const World& world,
                                                            std::string_view actor) {
  auto who = acting_user(world, actor);
  if (!who) return who.error();
  const std::string& me = (*who)->email;
  std::vector<AccessRequest> out;
  for (const auto& r : world.access_requests) {
    const Application* app = find_application(world, r.application);
    if (iequals(r.requester, me) || (app && iequals(app->owner, me))) out.push_back(r);
  }
  return out;
}

PortalResult<std::vector<AccessRequest>> requests_to_decide(const World& world,
                                                            std::string_view actor,
                                                            std::optional<RequestStatus> status) {
  auto who = acting_user(world, actor);
  if (!who) return who.error();
  const std::string& me = (*who)->email;
  std::vector<AccessRequest> out;
  for (const auto& r : world.access_requests) {
    if (status && r.status != *status) continue;
    const Api* api = find_api(world, r.api);
    if (api && is_approver(*api, me)) out.push_back(r);
  }
  return out;
}

PortalResult<std::vector<AccessRequest>> approve_access_requests(Transaction& tx,
                                                                 std::string_view actor,
                                                                 const DecisionInput& in) {
  return decide(tx, actor, in, true);
}

PortalResult<std::vector<AccessRequest>> reject_access_requests(Transaction& tx,
                                                                std::string_view actor,
                                                                const DecisionInput& in) {
  return decide(tx, actor, in, false);
}

namespace {

// The API named by a revocation or an accesses listing, which the acting user must approve
// (000 §11.4: « uniquement … les API dont l'OrgAdmin est l'approbateur »).
PortalResult<const Api*> approved_api(const World& world, std::string_view id, const User& user) {
  const Api* api = find_api(world, id);
  // An API outside the user's catalogue that they do not approve stays unknown to them.
  if (!api || (!is_approver(*api, user.email) && !visible_to(*api, user)))
    return portal_error(ErrorKind::NotFound, "UNKNOWN_API", "API inconnue : " + std::string(id),
                        "api");
  if (!is_approver(*api, user.email))
    return portal_error(ErrorKind::Forbidden, "NOT_APPROVER",
                        "Vous n'êtes pas approbateur de l'API " + api->name + ".", "api");
  return api;
}

}  // namespace

PortalResult<std::vector<ApiAccess>> approved_accesses(const World& world, std::string_view actor,
                                                       std::string_view api) {
  auto who = acting_user(world, actor);
  if (!who) return who.error();
  const User& user = **who;
  if (!api.empty()) {
    auto checked = approved_api(world, api, user);
    if (!checked) return checked.error();
  }
  std::vector<ApiAccess> out;
  for (const auto& app : world.applications)
    for (const auto& sub : app.subscriptions) {
      if (sub.status != SubscriptionStatus::Approved) continue;
      if (!api.empty() && sub.api != api) continue;
      const Api* a = find_api(world, sub.api);
      if (!a || !is_approver(*a, user.email)) continue;
      out.push_back({sub.api.str(), app.id, strings_of(sub.scopes)});
    }
  return out;
}

PortalResult<std::vector<std::string>> revoke_accesses(Transaction& tx, std::string_view actor,
                                                       const RevocationInput& in) {
  auto who = acting_user(tx, actor);
  if (!who) return who.error();
  const User user = **who;
  if (in.api.empty())
    return portal_error(ErrorKind::InvalidInput, "API_REQUIRED", "L'API est obligatoire.", "api");
  auto checked = approved_api(tx.world, in.api, user);
  if (!checked) return checked.error();
  const Api api = **checked;

  std::string motif;
  // 000 §11.4: « un champ « Motif » obligatoire ».
  if (auto bad = check_motif(in.motif, "Le motif de révocation", "motif", &motif)) return *bad;
  const auto apps = dedupe(in.applications);
  if (apps.empty())
    return portal_error(ErrorKind::InvalidInput, "APPLICATIONS_REQUIRED",
                        "Sélectionnez au moins une application.", "applications");
  for (const auto& id : apps) {
    const Application* app = tx.application(id);
    if (!app)
      return portal_error(ErrorKind::NotFound, "UNKNOWN_APPLICATION",
                          "Application inconnue : " + id, "applications", {id});
    const Subscription* sub = app->subscription(api.id);
    if (!sub || sub->status != SubscriptionStatus::Approved)
      return portal_error(
          ErrorKind::Conflict, "NO_APPROVED_ACCESS",
          "L'application " + app->name + " n'a pas d'accès approuvé à l'API " + api.name + ".",
          "applications", {id});
  }

  for (const auto& id : apps) {
    Application& app = *tx.application(id);
    app.subscription(api.id)->status = SubscriptionStatus::Revoked;
    const Organisation* org = find_organisation(tx.world, app.organisation);
    // NOT-2: the owners, only if they opted in.
    for (const auto& to : opted_in(tx.world, {app.owner}))
      tx.send(access_revoked_mail(to, api.name, app.name, org ? org->name : app.organisation.str(),
                                  tx.now, motif));
  }
  return apps;
}

}  // namespace pistesim
