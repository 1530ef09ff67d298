#include "portal/applications.h"

#include <algorithm>

#include "base/text.h"
#include "portal/accounts.h"
#include "portal/actor.h"
#include "portal/api_cgu.h"
#include "portal/application_factory.h"
#include "portal/catalogue.h"

namespace pistesim {

namespace {

PortalError missing(const char* field, std::string_view label) {
  return portal_error(ErrorKind::InvalidInput, "MISSING_FIELD",
                      "Le champ « " + std::string(label) + " » est obligatoire.", field);
}

PortalError too_long(const char* field, std::string_view label, size_t max) {
  return portal_error(ErrorKind::InvalidInput, "FIELD_TOO_LONG",
                      "Le champ « " + std::string(label) + " » ne peut dépasser " +
                          std::to_string(max) + " caractères.",
                      field);
}

bool name_characters_ok(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

bool phone_ok(std::string_view phone) {
  bool digit = false;
  for (char c : phone) {
    if (c >= '0' && c <= '9')
      digit = true;
    else if (c != ' ' && c != '+' && c != '.' && c != '-')
      return false;
  }
  return digit;
}

// The field rules shared by creation and modification. Each check takes the trimmed value.
PortalResult<Done> check_description(const std::string& v) {
  if (code_points(v) > kMaxDescription)
    return too_long("description", "Description", kMaxDescription);
  return Done{};
}

PortalResult<Done> check_phone(const std::string& v) {
  if (v.empty()) return Done{};
  if (code_points(v) > kMaxPhone) return too_long("phone", "Téléphone", kMaxPhone);
  if (!phone_ok(v))
    return portal_error(ErrorKind::InvalidInput, "INVALID_PHONE",
                        "Le numéro de téléphone ne peut contenir que des chiffres, des espaces et "
                        "les caractères « + », « . » et « - ».",
                        "phone");
  return Done{};
}

PortalResult<Done> check_email(const std::string& v) {
  if (v.empty()) return missing("email", "Email");
  if (!valid_email(v))
    return portal_error(ErrorKind::InvalidInput, "INVALID_EMAIL",
                        "L'adresse e-mail « " + v + " » n'est pas valide.", "email");
  return Done{};
}

PortalResult<Done> check_required(const std::string& v, const char* field, std::string_view label) {
  if (v.empty()) return missing(field, label);
  if (code_points(v) > 255) return too_long(field, label, 255);
  return Done{};
}

PortalResult<Done> check_name(const World& world, const std::string& name) {
  if (name.empty()) return missing("name", "Nom de l'application");
  if (name.size() > kMaxApplicationName)
    return portal_error(ErrorKind::InvalidInput, "INVALID_NAME",
                        std::string(kNameRuleMessage) + " (" + std::to_string(kMaxApplicationName) +
                            " caractères au plus)",
                        "name");
  if (!name_characters_ok(name))
    return portal_error(ErrorKind::InvalidInput, "INVALID_NAME", std::string(kNameRuleMessage),
                        "name");
  if (application_name_taken(world, name))
    return portal_error(
        ErrorKind::Conflict, "NAME_TAKEN",
        "Une application porte déjà le nom « " + name + " ». " + std::string(kNameRuleMessage),
        "name");
  return Done{};
}

// APP-2: applications PISTE made (APP_SANDBOX_*, enrolment). Users cannot create SANDBOX
// applications, so one on SANDBOX was made by PISTE whatever its recorded origin.
bool made_by_piste(const Application& app) {
  return app.origin != ApplicationOrigin::Created || app.channel == Channel::Sandbox;
}

const Application* find_application(const World& world, std::string_view id) {
  for (const auto& a : world.applications)
    if (a.id == id) return &a;
  return nullptr;
}

PortalError access_revoked(std::string_view api_name) {
  return portal_error(ErrorKind::Conflict, "ACCESS_REVOKED",
                      "L'accès de l'application à l'API " + std::string(api_name) +
                          " a été révoqué par son administrateur.",
                      "api");
}

}  // namespace

PortalError unknown_application_error(std::string_view id) {
  return portal_error(ErrorKind::NotFound, "UNKNOWN_APPLICATION",
                      "Application inconnue : " + std::string(id), "application");
}

bool may_manage_application(const User& user, const Application& app) {
  return iequals(app.owner, user.email) || user.is_orgadmin_of(app.organisation);
}

PortalResult<std::vector<const Application*>> list_applications(const World& world,
                                                                std::string_view actor) {
  auto user = acting_user(world, actor);
  if (!user) return user.error();
  std::vector<const Application*> out;
  for (const auto& a : world.applications)
    if (may_manage_application(**user, a)) out.push_back(&a);
  // « Trier par : Nom croissant ».
  std::stable_sort(out.begin(), out.end(), [](const Application* a, const Application* b) {
    return fold_for_search(a->name) < fold_for_search(b->name);
  });
  return out;
}

PortalResult<const Application*> view_application(const World& world, std::string_view actor,
                                                  std::string_view id) {
  auto user = acting_user(world, actor);
  if (!user) return user.error();
  const Application* app = find_application(world, id);
  if (!app || !may_manage_application(**user, *app)) return unknown_application_error(id);
  return app;
}

PortalResult<Application*> managed_application(Transaction& tx, std::string_view actor,
                                               std::string_view id) {
  auto user = acting_user(tx, actor);
  if (!user) return user.error();
  Application* app = tx.application(id);
  if (!app || !may_manage_application(**user, *app)) return unknown_application_error(id);
  return app;
}

PortalResult<Application> create_application(Transaction& tx, std::string_view actor,
                                             const NewApplication& in) {
  auto user = acting_user(tx, actor);
  if (!user) return user.error();
  if (in.channel == Channel::Sandbox)
    return portal_error(ErrorKind::Forbidden, "SANDBOX_CREATION_FORBIDDEN",
                        std::string(kNoSandboxCreationMessage), "channel");

  Application app;
  app.channel = Channel::Production;
  app.origin = ApplicationOrigin::Created;
  app.owner = (*user)->email;
  app.active = in.active;
  app.organisation = clean_field(in.organisation);
  app.name = clean_field(in.name);
  app.description = clean_field(in.description);
  app.phone = clean_field(in.phone);
  app.email = clean_field(in.email);
  app.structure_info = clean_field(in.structure_info);
  app.responsible = clean_field(in.responsible);

  // In the form's order (000 §7.1).
  if (app.organisation.empty()) return missing("organisation", "Organisation");
  if (!(*user)->membership(app.organisation))
    return portal_error(ErrorKind::InvalidInput, "INVALID_ORGANISATION",
                        "Choisissez l'une de vos organisations.", "organisation");
  for (auto check :
       {check_name(tx.world, app.name), check_description(app.description), check_phone(app.phone),
        check_email(app.email),
        check_required(app.structure_info, "structure_info", "Information sur la structure"),
        check_required(app.responsible, "responsible", "Responsable d'application")})
    if (!check.ok()) return check.error();

  return add_application(tx, std::move(app));
}

PortalResult<Application> update_application(Transaction& tx, std::string_view actor,
                                             std::string_view id,
                                             const ApplicationChanges& changes) {
  auto found = managed_application(tx, actor, id);
  if (!found) return found.error();
  Application& app = **found;
  Application next = app;

  if (changes.name && clean_field(*changes.name) != app.name)
    return portal_error(
        ErrorKind::InvalidInput, "NAME_IMMUTABLE",
        std::string(made_by_piste(app) ? kSandboxNameFixedMessage : kNameFixedMessage), "name");
  if (changes.organisation && clean_field(*changes.organisation) != app.organisation)
    return portal_error(ErrorKind::InvalidInput, "ORGANISATION_IMMUTABLE",
                        "L'organisation d'une application ne peut pas être changée.",
                        "organisation");
  if (changes.description) {
    next.description = clean_field(*changes.description);
    if (auto r = check_description(next.description); !r.ok()) return r.error();
  }
  if (changes.phone) {
    next.phone = clean_field(*changes.phone);
    if (auto r = check_phone(next.phone); !r.ok()) return r.error();
  }
  if (changes.email) {
    next.email = clean_field(*changes.email);
    if (auto r = check_email(next.email); !r.ok()) return r.error();
  }
  if (changes.structure_info) {
    next.structure_info = clean_field(*changes.structure_info);
    if (auto r =
            check_required(next.structure_info, "structure_info", "Information sur la structure");
        !r.ok())
      return r.error();
  }
  if (changes.responsible) {
    next.responsible = clean_field(*changes.responsible);
    if (auto r = check_required(next.responsible, "responsible", "Responsable d'application");
        !r.ok())
      return r.error();
  }
  if (changes.active) next.active = *changes.active;
  app = std::move(next);
  return app;
}

PortalResult<Done> delete_application(Transaction& tx, std::string_view actor,
                                      std::string_view id) {
  auto found = managed_application(tx, actor, id);
  if (!found) return found.error();
  if (made_by_piste(**found))
    return portal_error(ErrorKind::Forbidden, "APPLICATION_UNDELETABLE",
                        std::string(kDeleteThroughSupportMessage), "application");
  const std::string app_id((*found)->id);
  std::erase_if(tx.world.applications, [&](const Application& a) { return a.id == app_id; });
  std::erase_if(tx.world.access_requests,
                [&](const AccessRequest& r) { return r.application == app_id; });
  tx.revoke_tokens_of(app_id);
  return Done{};
}

PortalResult<Subscription> subscribe_application(Transaction& tx, std::string_view actor,
                                                 std::string_view id, std::string_view api_id) {
  auto found = managed_application(tx, actor, id);
  if (!found) return found.error();
  Application& app = **found;
  const User& user = *tx.user(actor);
  const Api* api = tx.api(api_id);
  if (!api || !api_visible_to(*api, &user))
    return portal_error(ErrorKind::NotFound, "UNKNOWN_API", "API inconnue : " + std::string(api_id),
                        "api");
  if (!api->published_on(app.channel))
    return portal_error(ErrorKind::Conflict, "WRONG_CHANNEL",
                        "L'API " + api->name + " n'est pas publiée sur l'environnement " +
                            std::string(to_string(app.channel)) + " de l'application.",
                        "api");
  Subscription* existing = app.subscription(api->id);
  // Selecting an API already granted changes nothing, whoever granted it.
  if (existing && existing->status == SubscriptionStatus::Approved) return *existing;
  if (existing && existing->status == SubscriptionStatus::Revoked) return access_revoked(api->name);
  // 000 §6.2: « une fois la première demande d'accès validée, la case est cochée et éditable »:
  // an access an approver granted once can be unticked and ticked again, with the scopes granted.
  const AccessRequest* granted = nullptr;
  for (const auto& r : tx.world.access_requests)
    if (r.application == app.id && r.api == api->id && r.status == RequestStatus::Approved)
      granted = &r;
  if (api->approval_required && granted && !existing) {
    if (!cgu_satisfied(tx.world, user, *api, app.channel))
      return cgu_not_accepted_error(*api, app.channel);
    Subscription sub;
    sub.api = api->id;
    sub.status = SubscriptionStatus::Approved;
    sub.scopes = granted->scopes.empty() ? api->scopes : granted->scopes;
    app.subscriptions.push_back(sub);
    return sub;
  }
  if (api->approval_required)
    return portal_error(ErrorKind::Conflict, "APPROVAL_REQUIRED",
                        "L'API " + api->name +
                            " est soumise à validation : cliquez sur « Demander l'accès » pour "
                            "soumettre une demande d'accès à son approbateur.",
                        "api");
  if (!cgu_satisfied(tx.world, user, *api, app.channel))
    return cgu_not_accepted_error(*api, app.channel);

  if (existing) {
    existing->status = SubscriptionStatus::Approved;
    existing->scopes = api->scopes;
    return *existing;
  }
  Subscription sub;
  sub.api = api->id;
  sub.status = SubscriptionStatus::Approved;
  sub.scopes = api->scopes;
  app.subscriptions.push_back(sub);
  return sub;
}

PortalResult<Done> unsubscribe_application(Transaction& tx, std::string_view actor,
                                           std::string_view id, std::string_view api_id) {
  auto found = managed_application(tx, actor, id);
  if (!found) return found.error();
  Application& app = **found;
  const Subscription* sub = app.subscription(api_id);
  if (!sub)
    return portal_error(ErrorKind::NotFound, "UNKNOWN_SUBSCRIPTION",
                        "L'application n'a pas d'accès à l'API " + std::string(api_id), "api");
  // Withdrawing then selecting again would undo the approver's revocation.
  if (sub->status == SubscriptionStatus::Revoked) {
    const Api* api = tx.api(api_id);
    return access_revoked(api ? std::string_view(api->name) : api_id);
  }
  std::erase_if(app.subscriptions, [&](const Subscription& s) { return s.api == api_id; });
  for (auto& r : tx.world.access_requests)
    if (r.application == app.id && r.api == api_id && r.status == RequestStatus::Pending) {
      r.status = RequestStatus::Rejected;
      r.decided_at = tx.now;
      r.decided_by = (*tx.user(actor)).email;
      r.decision_message = "Demande retirée par le demandeur (retrait de l'API).";
    }
  return Done{};
}

}  // namespace pistesim
