#include "mail/access_request_mails.h"

#include <cstdio>

namespace pistesim {

namespace {

// 002 §6: every PISTE e-mail ends with it.
constexpr std::string_view kFooter =
    "Ce courriel a été généré automatiquement par PISTE. Merci de ne pas y répondre.";

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// The bullet list of 002 §6, shared by the confirmation and the decision.
std::string facts_list(const AccessRequestFacts& f) {
  return "- Nom de l'API : " + f.api_name + "\n- Nom de l'application : " + f.application_name +
         "\n- Organisation : " + f.organisation_name +
         "\n- Motif de la demande d'accès : " + f.motif +
         "\n- Scopes demandés : " + join(f.scopes, ", ") +
         "\n- Date de la demande : " + format_paris_datetime(f.requested_at) + "\n";
}

}  // namespace

std::string format_paris_datetime(Millis utc_ms) {
  const Millis local = utc_ms + paris_utc_offset_ms(utc_ms);
  constexpr Millis kDay = 86400000;
  int64_t days = local / kDay;
  Millis in_day = local % kDay;
  if (in_day < 0) {
    in_day += kDay;
    --days;
  }
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  const int64_t minutes = in_day / 60000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04lld %02lld:%02lld", d, m, static_cast<long long>(y),
                static_cast<long long>(minutes / 60), static_cast<long long>(minutes % 60));
  return buf;
}

Email access_request_confirmation_mail(std::string_view to, const AccessRequestFacts& facts,
                                       std::string_view login_url) {
  Email e;
  e.kind = "access_request_confirmation";
  e.to = std::string(to);
  e.subject = "Confirmation de la demande de souscription à l'API " + facts.api_name;
  e.body = "Bonjour,\n\nLa demande de souscription à l'API " + facts.api_name +
           " a bien été prise en compte pour l'application " + facts.application_name + "\n\n" +
           facts_list(facts) +
           "\nUne fois que votre demande aura été acceptée ou rejetée, vous serez informé. "
           "Cliquez ici pour vous connecter.\n\n" +
           std::string(kFooter) + "\n";
  e.links.push_back({"Cliquez ici pour vous connecter", std::string(login_url)});
  return e;
}

// Choice: the seeds say only that the API's OrgAdmin is notified « l'invitant à traiter la
// demande » (000 §10.3); subject and wording follow the confirmation's.
Email access_request_to_review_mail(std::string_view to, std::string_view requester,
                                    const AccessRequestFacts& facts, std::string_view review_url) {
  Email e;
  e.kind = "access_request_to_review";
  e.to = std::string(to);
  e.subject = "Nouvelle demande de souscription à l'API " + facts.api_name;
  e.body = "Bonjour,\n\nUne demande de souscription à l'API " + facts.api_name +
           " a été déposée par " + std::string(requester) + " pour l'application " +
           facts.application_name + " et attend votre décision.\n\n" + facts_list(facts) +
           "\nVous pouvez l'approuver ou la rejeter depuis le menu ADMINISTRATION, page "
           "« Approbation des accès API ».\n\n" +
           std::string(kFooter) + "\n";
  e.links.push_back({"Approbation des accès API", std::string(review_url)});
  return e;
}

Email access_request_decision_mail(std::string_view to, const AccessRequestFacts& facts,
                                   bool approved, std::string_view approver_message) {
  Email e;
  e.kind = approved ? "access_request_approved" : "access_request_rejected";
  e.to = std::string(to);
  e.subject = "Statut de la demande de souscription à l'API " + facts.api_name;
  // 002 §6 quotes the acceptance; the rejection mirrors it (choice).
  e.body = "Bonjour,\n\nVotre demande d'accès à l'API " + facts.api_name + " a été " +
           (approved ? "acceptée" : "rejetée") + " avec les éléments suivants :\n\n" +
           facts_list(facts);
  // Choice: without a message (an approval may have none) the block is left out.
  if (!approver_message.empty())
    e.body += "\nMessage de l'approbateur :\n\n" + std::string(approver_message) + "\n";
  e.body += "\n" + std::string(kFooter) + "\n";
  return e;
}

// Choice: 000 §11.4 says only that the owners are notified with the motif; the wording follows
// the decision e-mail.
Email access_revoked_mail(std::string_view to, std::string_view api_name,
                          std::string_view application_name, std::string_view organisation_name,
                          Millis revoked_at, std::string_view motif) {
  Email e;
  e.kind = "access_revoked";
  e.to = std::string(to);
  e.subject = "Révocation de l'accès à l'API " + std::string(api_name);
  e.body = "Bonjour,\n\nL'accès de l'application " + std::string(application_name) + " à l'API " +
           std::string(api_name) + " a été révoqué par l'administrateur de l'API.\n\n" +
           "- Nom de l'API : " + std::string(api_name) +
           "\n- Nom de l'application : " + std::string(application_name) +
           "\n- Organisation : " + std::string(organisation_name) +
           "\n- Date de la révocation : " + format_paris_datetime(revoked_at) +
           "\n\nMotif de la révocation :\n\n" + std::string(motif) + "\n\n" + std::string(kFooter) +
           "\n";
  return e;
}

}  // namespace pistesim
