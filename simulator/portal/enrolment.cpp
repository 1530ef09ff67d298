#include "portal/enrolment.h"

#include <algorithm>
#include <set>

#include "base/text.h"
#include "mail/administration_mails.h"
#include "portal/actor.h"
#include "portal/application_factory.h"

namespace pistesim {

namespace {

// Choice: a bound on one form's list, so that one request cannot stall the world's writer.
constexpr size_t kMaxEmails = 100;

constexpr Channel kReportOrder[] = {Channel::Production, Channel::Sandbox};  // as 000 §11.1

// The acting OrgAdmin's organisation and the cleaned list of e-mails, or why the whole
// operation is refused.
struct Target {
  Organisation* organisation;
  std::vector<std::string> emails;
};

PortalResult<Target> target(Transaction& tx, const EnrolmentInput& in) {
  auto actor = acting_user(tx, in.actor);
  if (!actor) return actor.error();
  const std::string wanted = clean_field(in.organisation);
  if (wanted.empty())
    return portal_error(ErrorKind::InvalidInput, "MISSING_FIELD",
                        "Veuillez sélectionner une organisation.", "organisation");
  Organisation* org = tx.organisation(wanted);
  if (!org)
    for (auto& o : tx.world.organisations)
      if (iequals(o.name, wanted)) org = &o;
  if (!org)
    return portal_error(ErrorKind::NotFound, "UNKNOWN_ORGANISATION",
                        "Organisation inconnue : " + wanted, "organisation");
  if (!(*actor)->is_orgadmin_of(org->id))
    return portal_error(ErrorKind::Forbidden, "NOT_ORGADMIN",
                        "Vous n'êtes pas administrateur de l'organisation \"" + org->name + "\".",
                        "organisation");
  Target t{org, {}};
  for (const auto& e : in.emails)
    if (std::string clean = clean_field(e); !clean.empty()) t.emails.push_back(std::move(clean));
  if (t.emails.empty())
    return portal_error(ErrorKind::InvalidInput, "MISSING_FIELD",
                        "Veuillez renseigner au moins un courriel.", "emails");
  if (t.emails.size() > kMaxEmails)
    return portal_error(
        ErrorKind::InvalidInput, "TOO_MANY_EMAILS",
        "Vous pouvez renseigner au plus " + std::to_string(kMaxEmails) + " courriels à la fois.",
        "emails");
  return t;
}

// A user that cannot be processed: the same reason on each channel's line.
EnrolmentLine refused(std::string email, std::string code, const std::string& message) {
  EnrolmentLine line;
  line.email = std::move(email);
  line.code = std::move(code);
  for (Channel c : kReportOrder) line.channels.push_back(ChannelResult{c, false, message, {}, {}});
  return line;
}

const Application* find_by_name(const World& world, std::string_view name) {
  for (const auto& a : world.applications)
    if (iequals(a.name, name)) return &a;
  return nullptr;
}

EnrolmentReport new_report(const Organisation& org) {
  EnrolmentReport r;
  r.organisation = org.id;
  r.organisation_name = org.name;
  return r;
}

}  // namespace

size_t EnrolmentReport::succeeded() const {
  return static_cast<size_t>(
      std::count_if(users.begin(), users.end(), [](const EnrolmentLine& l) { return l.ok; }));
}

std::string enrolment_application_name(const Organisation& org, Channel channel,
                                       std::string_view email) {
  return "APP_" + enrolment_prefix(org) + (channel == Channel::Sandbox ? "_SBX_" : "_PROD_") +
         std::string(email);
}

PortalResult<EnrolmentReport> enrol_users(Transaction& tx, const EnrolmentInput& input) {
  auto t = target(tx, input);
  if (!t) return t.error();
  const Organisation& org = *t->organisation;
  EnrolmentReport report = new_report(org);
  std::set<std::string> seen;
  for (const auto& given : t->emails) {
    if (!seen.insert(ascii_lower(given)).second) {
      report.users.push_back(
          refused(given, "DUPLICATE_EMAIL", "Ce courriel figure plusieurs fois dans la liste."));
      continue;
    }
    User* user = tx.user(given);
    if (!user) {
      report.users.push_back(refused(given, "UNKNOWN_USER",
                                     "Aucun compte PISTE n'existe pour ce courriel : "
                                     "l'utilisateur doit d'abord s'inscrire sur PISTE."));
      continue;
    }
    if (!user->active) {
      // Choice: an account awaiting activation or deactivated cannot use what it would get.
      report.users.push_back(refused(user->email, "USER_INACTIVE",
                                     "Le compte PISTE de cet utilisateur n'est pas actif."));
      continue;
    }
    // Each channel's application: already there (kept), or to create. A name held by someone
    // else's application refuses the user: names are unique (APP-3).
    struct Plan {
      Channel channel;
      std::string name;
      std::string existing;  // id: creating the other application may move this one
    };
    std::vector<Plan> plans;
    std::string conflict;
    for (Channel c : kReportOrder) {
      std::string name = enrolment_application_name(org, c, user->email);
      const Application* existing = find_by_name(tx.world, name);
      if (existing && !(iequals(existing->owner, user->email) && existing->organisation == org.id))
        conflict = name;
      plans.push_back(Plan{c, std::move(name), existing ? existing->id : std::string()});
    }
    if (!conflict.empty()) {
      report.users.push_back(refused(user->email, "NAME_TAKEN",
                                     "Le nom d'application " + conflict + " est déjà utilisé."));
      continue;
    }
    const bool member = user->membership(org.id) != nullptr;
    if (member && !plans[0].existing.empty() && !plans[1].existing.empty()) {
      report.users.push_back(
          refused(user->email, "ALREADY_ENROLLED",
                  "L'utilisateur est déjà enrôlé dans l'organisation \"" + org.name + "\"."));
      continue;
    }
    // Choice: a member who joined with the organisation's code but has no enrolment
    // applications yet keeps their membership and role and gets the applications.
    if (!member) user->memberships.push_back(Membership{org.id, Role::Developer});
    const User& enrolled = *user;  // add_application grows applications only: stays valid
    EnrolmentLine line;
    line.email = user->email;
    line.ok = true;
    std::string created[2];
    for (size_t i = 0; i < plans.size(); ++i) {
      const Plan& p = plans[i];
      ChannelResult r{p.channel, true, std::string(kEnrolledMessage), {}, p.name};
      if (!p.existing.empty()) {
        r.application = p.existing;
        r.message = "L'utilisateur est déjà enrôlé (application " + p.name + " existante).";
      } else {
        Application app;
        app.name = p.name;
        app.channel = p.channel;
        app.organisation = org.id;
        app.owner = enrolled.email;
        // 002 §7 shows « SandBox Application SERVICE-DIHAL »; the production wording is a choice.
        app.description =
            (p.channel == Channel::Sandbox ? "SandBox Application " : "Production Application ") +
            org.name;
        app.email = enrolled.email;
        app.structure_info = "Autre";
        app.responsible = enrolled.name;
        app.origin = ApplicationOrigin::Enrolment;
        r.application = add_application(tx, std::move(app)).id;
        created[i] = r.application;
      }
      line.channels.push_back(std::move(r));
    }
    // kReportOrder: created[0] is PRODUCTION, created[1] SANDBOX.
    tx.send(enrolment_email(enrolled, org,
                            created[1].empty() ? nullptr : tx.application(created[1]),
                            created[0].empty() ? nullptr : tx.application(created[0])));
    report.users.push_back(std::move(line));
  }
  return report;
}

PortalResult<EnrolmentReport> decommission_users(Transaction& tx, const EnrolmentInput& input) {
  auto t = target(tx, input);
  if (!t) return t.error();
  const Organisation& org = *t->organisation;
  EnrolmentReport report = new_report(org);
  std::set<std::string> seen;
  for (const auto& given : t->emails) {
    if (!seen.insert(ascii_lower(given)).second) {
      report.users.push_back(
          refused(given, "DUPLICATE_EMAIL", "Ce courriel figure plusieurs fois dans la liste."));
      continue;
    }
    User* user = tx.user(given);
    if (!user) {
      report.users.push_back(
          refused(given, "UNKNOWN_USER", "Aucun compte PISTE n'existe pour ce courriel."));
      continue;
    }
    if (iequals(user->email, input.actor)) {
      // Choice: an OrgAdmin cannot take their own administration away by mistake.
      report.users.push_back(refused(user->email, "CANNOT_DECOMMISSION_SELF",
                                     "Vous ne pouvez pas vous décommissionner vous-même."));
      continue;
    }
    auto in_org = [&](const Application& a) {
      return a.organisation == org.id && iequals(a.owner, user->email);
    };
    const bool has_apps =
        std::any_of(tx.world.applications.begin(), tx.world.applications.end(), in_org);
    if (!user->membership(org.id) && !has_apps) {
      report.users.push_back(
          refused(user->email, "NOT_MEMBER",
                  "L'utilisateur n'est pas membre de l'organisation \"" + org.name + "\"."));
      continue;
    }
    EnrolmentLine line;
    line.email = user->email;
    line.ok = true;
    std::erase_if(user->memberships, [&](const Membership& m) { return m.organisation == org.id; });
    for (Channel c : kReportOrder) {
      ChannelResult r{c, true, std::string(kDecommissionedMessage), {}, {}};
      const std::string name = enrolment_application_name(org, c, user->email);
      for (const auto& a : tx.world.applications)
        if (in_org(a) && iequals(a.name, name)) {
          r.application = a.id;
          r.application_name = a.name;
        }
      line.channels.push_back(std::move(r));
    }
    // Every application of theirs in the organisation, whatever its origin, with its tokens;
    // choice: their access requests go too (they would name an application that is gone).
    std::set<std::string> removed;
    for (const auto& a : tx.world.applications)
      if (in_org(a)) {
        removed.insert(a.id);
        line.removed_applications.push_back(a.id);
        tx.revoke_tokens_of(a.id);
      }
    std::erase_if(tx.world.applications, in_org);
    std::erase_if(tx.world.access_requests,
                  [&](const AccessRequest& r) { return removed.count(r.application) != 0; });
    report.users.push_back(std::move(line));
  }
  return report;
}

}  // namespace pistesim
