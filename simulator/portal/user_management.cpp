#include "portal/user_management.h"

#include <algorithm>

#include "base/text.h"
#include "crypto/password.h"
#include "mail/account_mails.h"
#include "portal/accounts.h"
#include "portal/actor.h"
#include "portal/application_factory.h"

namespace pistesim {

namespace {

// The organisations `u` administers.
std::vector<std::string> administered(const User& u) {
  std::vector<std::string> out;
  for (const auto& m : u.memberships)
    if (m.role == Role::OrgAdmin) out.push_back(m.organisation);
  return out;
}

bool in_scope(const User& u, const std::vector<std::string>& organisations) {
  return std::any_of(u.memberships.begin(), u.memberships.end(), [&](const Membership& m) {
    return std::find(organisations.begin(), organisations.end(), m.organisation) !=
           organisations.end();
  });
}

PortalError not_orgadmin() {
  return portal_error(ErrorKind::Forbidden, "NOT_ORGADMIN",
                      "La gestion des utilisateurs est réservée aux administrateurs "
                      "d'organisation.");
}

PortalError unknown_user(std::string_view email) {
  return portal_error(ErrorKind::NotFound, "UNKNOWN_USER",
                      "Utilisateur inconnu : " + std::string(email), "email");
}

PortalError missing(std::string_view field, std::string_view label) {
  return portal_error(ErrorKind::InvalidInput, "MISSING_FIELD",
                      "Le champ « " + std::string(label) + " » est obligatoire.",
                      std::string(field));
}

// The acting OrgAdmin's organisations, or why they may not manage users.
template <class W>
PortalResult<std::vector<std::string>> admin_scope(W& world_or_tx, std::string_view actor) {
  auto user = acting_user(world_or_tx, actor);
  if (!user.ok()) return user.error();
  auto orgs = administered(**user);
  if (orgs.empty()) return not_orgadmin();
  return orgs;
}

// The managed user `email`, if the actor's organisations reach them.
PortalResult<User*> managed_user(Transaction& tx, std::string_view actor, std::string_view email) {
  auto scope = admin_scope(tx, actor);
  if (!scope.ok()) return scope.error();
  User* target = tx.user(email);
  if (!target || !in_scope(*target, *scope)) return unknown_user(email);
  return target;
}

bool administered_by(const std::vector<std::string>& scope, std::string_view organisation) {
  return std::find(scope.begin(), scope.end(), organisation) != scope.end();
}

// True when `u` belongs to an organisation outside `scope` that someone answers for (the
// universal organisation aside: see the header).
bool shared_beyond(const Transaction& tx, const User& u, const std::vector<std::string>& scope) {
  return std::any_of(u.memberships.begin(), u.memberships.end(), [&](const Membership& m) {
    if (administered_by(scope, m.organisation)) return false;
    for (const auto& o : tx.world.organisations)
      if (o.id == m.organisation) return !o.universal;
    return true;
  });
}

PortalError outside_perimeter(std::string_view email) {
  return portal_error(ErrorKind::Forbidden, "OUTSIDE_PERIMETER",
                      "L'utilisateur " + std::string(email) +
                          " appartient aussi à une organisation que vous n'administrez pas : "
                          "vous pouvez seulement le décommissionner de la vôtre.",
                      "email");
}

void give_sandbox_application(Transaction& tx, const User& user) {
  if (!application_name_taken(tx.world, "APP_SANDBOX_" + user.email))
    add_sandbox_application(tx, user);
}

}  // namespace

std::string_view user_status_label(const User& u) {
  if (u.active) return "Approved";
  return u.activation_token.empty() ? "Disabled" : "Pending";
}

PortalResult<std::vector<User>> list_managed_users(const World& world, std::string_view actor) {
  auto scope = admin_scope(world, actor);
  if (!scope.ok()) return scope.error();
  std::vector<User> out;
  for (const auto& u : world.users) {
    if (!in_scope(u, *scope)) continue;
    User row = u;
    std::erase_if(row.memberships, [&](const Membership& m) {
      return std::find(scope->begin(), scope->end(), m.organisation) == scope->end();
    });
    out.push_back(std::move(row));
  }
  return out;
}

PortalResult<User> create_managed_user(Transaction& tx, std::string_view actor,
                                       const NewUserInput& in) {
  auto scope = admin_scope(tx, actor);
  if (!scope.ok()) return scope.error();
  const std::string email = clean_field(in.email);
  const std::string name = clean_field(in.name);
  if (email.empty()) return missing("email", "Email");
  if (!valid_email(email))
    return portal_error(ErrorKind::InvalidInput, "INVALID_EMAIL",
                        "L'adresse e-mail « " + email + " » n'est pas valide.", "email");
  if (name.empty()) return missing("name", "Nom");

  // « Organisation* »: required, unless there is only one to choose from.
  const Organisation* org = nullptr;
  const std::string wanted = clean_field(in.organisation);
  if (wanted.empty()) {
    if (scope->size() != 1) return missing("organisation", "Organisation");
    org = tx.organisation(scope->front());
  } else {
    for (const auto& o : tx.world.organisations)
      if (o.id == wanted || iequals(o.name, wanted)) org = &o;
    if (!org)
      return portal_error(ErrorKind::NotFound, "UNKNOWN_ORGANISATION",
                          "Organisation inconnue : " + wanted, "organisation");
  }
  if (!org || std::find(scope->begin(), scope->end(), org->id) == scope->end())
    return portal_error(
        ErrorKind::Forbidden, "ORGANISATION_NOT_ADMINISTERED",
        "Vous n'êtes pas administrateur de l'organisation " + (org ? org->name : wanted) + ".",
        "organisation");

  std::string password = in.password;
  if (in.password_mode == PasswordMode::Manual) {
    if (auto failed = password_policy_failures(password); !failed.empty())
      return portal_error(ErrorKind::InvalidInput, "PASSWORD_POLICY",
                          "Force du mot de passe : Insuffisante.", "password", std::move(failed));
  } else {
    password = temporary_password();
  }
  if (tx.user(email))
    return portal_error(ErrorKind::Conflict, "EMAIL_TAKEN",
                        "Un compte PISTE existe déjà avec l'adresse e-mail « " + email +
                            " » : ajoutez-le à l'organisation par l'enrôlement.",
                        "email");

  User u;
  u.email = email;
  u.name = name;
  u.password_hash = hash_password(password);
  u.active = true;
  u.must_change_password = true;
  // Nobody accepted the PISTE CGU for them: asked at first login (choice).
  u.platform_cgu_version.clear();
  u.registered_at = tx.now;
  u.memberships.push_back({org->id, in.role});
  if (in.password_mode == PasswordMode::Generated)
    tx.send(account_created_mail(u, org->name, password, tx.portal_page("/connexion")));
  tx.world.users.push_back(u);
  give_sandbox_application(tx, u);
  return u;
}

PortalResult<User> set_managed_user_active(Transaction& tx, std::string_view actor,
                                           std::string_view email, bool active) {
  auto scope = admin_scope(tx, actor);
  if (!scope.ok()) return scope.error();
  auto target = managed_user(tx, actor, email);
  if (!target.ok()) return target.error();
  User& u = **target;
  if (!active && iequals(u.email, actor))
    return portal_error(ErrorKind::Conflict, "CANNOT_DEACTIVATE_SELF",
                        "Vous ne pouvez pas désactiver votre propre compte.", "email");
  if (shared_beyond(tx, u, *scope)) return outside_perimeter(u.email);
  u.active = active;
  // Either way the e-mailed activation link is spent: an OrgAdmin's decision sticks.
  u.activation_token.clear();
  const User result = u;
  if (active)
    give_sandbox_application(tx, result);
  else
    tx.close_sessions_of(result.email);
  return result;
}

PortalResult<DeletedUser> delete_managed_user(Transaction& tx, std::string_view actor,
                                              std::string_view email) {
  auto scope = admin_scope(tx, actor);
  if (!scope.ok()) return scope.error();
  auto target = managed_user(tx, actor, email);
  if (!target.ok()) return target.error();
  const std::string address = (*target)->email;
  if (iequals(address, actor))
    return portal_error(ErrorKind::Conflict, "CANNOT_DELETE_SELF",
                        "Vous ne pouvez pas supprimer votre propre compte.", "email");
  if (iequals(address, tx.world.settings.demo_user))
    return portal_error(ErrorKind::Conflict, "DEMO_USER",
                        "Le compte de démonstration du monde simulé ne peut pas être supprimé.",
                        "email");
  DeletedUser deleted{address, false, {}, {}};
  User& user = **target;
  for (const auto& m : user.memberships)
    if (administered_by(*scope, m.organisation)) deleted.organisations.push_back(m.organisation);
  std::erase_if(user.memberships,
                [&](const Membership& m) { return administered_by(*scope, m.organisation); });
  // Only the applications of the actor's organisations: the others are not theirs to remove.
  bool owns_others = false;
  for (const auto& app : tx.world.applications) {
    if (!iequals(app.owner, address)) continue;
    if (administered_by(*scope, app.organisation))
      deleted.applications.push_back(app.id);
    else
      owns_others = true;
  }
  auto removed = [&](const std::string& id) {
    return std::find(deleted.applications.begin(), deleted.applications.end(), id) !=
           deleted.applications.end();
  };
  std::erase_if(tx.world.applications, [&](const Application& a) { return removed(a.id); });
  std::erase_if(tx.world.access_requests,
                [&](const AccessRequest& r) { return removed(r.application); });
  for (const auto& id : deleted.applications) tx.revoke_tokens_of(id);
  deleted.account_deleted = user.memberships.empty() && !owns_others;
  if (deleted.account_deleted) {
    std::erase_if(tx.world.users, [&](const User& u) { return iequals(u.email, address); });
    tx.close_sessions_of(address);
  }
  return deleted;
}

}  // namespace pistesim
