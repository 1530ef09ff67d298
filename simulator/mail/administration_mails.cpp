#include "mail/administration_mails.h"

#include <cstdio>

namespace pistesim {

namespace {

std::string quota_words(const QuotaSpec& q) {
  return std::to_string(q.limit) + (q.limit > 1 ? " appels" : " appel") +
         (q.window == QuotaWindow::Second ? " par seconde" : " par jour");
}

}  // namespace

std::string paris_datetime(Millis utc_ms) {
  const Millis local = utc_ms + paris_utc_offset_ms(utc_ms);
  int64_t days = local / 86'400'000;
  Millis in_day = local % 86'400'000;
  if (in_day < 0) {
    in_day += 86'400'000;
    --days;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  const int64_t s = in_day / 1000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d à %02d:%02d:%02d", d, m, static_cast<int>(y),
                static_cast<int>(s / 3600), static_cast<int>(s / 60 % 60),
                static_cast<int>(s % 60));
  return buf;
}

Email enrolment_email(const User& user, const Organisation& organisation,
                      const Application* sandbox, const Application* production) {
  Email e;
  e.kind = "enrolment";
  e.to = user.email;
  e.subject = "PISTE - Votre enrôlement dans l'organisation " + organisation.name;
  std::string apps;
  if (sandbox) apps += "  - " + sandbox->name + " (SANDBOX)\n";
  if (production) apps += "  - " + production->name + " (PRODUCTION)\n";
  e.body =
      "Bonjour " + user.name +
      ",\n\n"
      "Votre compte PISTE (" +
      user.email + ") a été enrôlé dans l'organisation « " + organisation.name +
      " » par son administrateur.\n\n" +
      (apps.empty() ? std::string()
                    : "Les applications suivantes ont été créées pour vous :\n" + apps + "\n") +
      "Vous pouvez dès à présent accepter les CGU des API de cette organisation (menu « API "
      "- Consentement CGU API »), puis demander l'accès à ces API depuis vos applications.\n\n"
      "Cordialement,\n"
      "L'équipe PISTE\n";
  return e;
}

Email quota_exceeded_email(const Application& app, const Api& api, const QuotaSpec& quota,
                           Millis at, Millis window_end) {
  Email e;
  e.kind = "quota_exceeded";
  e.to = app.email.empty() ? app.owner : app.email;
  e.subject = "PISTE - Dépassement de quota de l'application " + app.name;
  e.body =
      "Bonjour,\n\n"
      "L'application « " +
      app.name + " » (" + std::string(to_string(app.channel)) + ") a dépassé son quota de " +
      quota_words(quota) + " le " + paris_datetime(at) + ", lors d'un appel à l'API « " + api.name +
      " ».\n"
      "Les appels au-delà du quota reçoivent la réponse HTTP 429 Too Many Requests/Trop de "
      "requêtes jusqu'au " +
      paris_datetime(window_end) +
      ".\n\n"
      "Pour obtenir un quota plus élevé, adressez-vous au fournisseur de l'API ou aux "
      "administrateurs de PISTE.\n\n"
      "Cordialement,\n"
      "L'équipe PISTE\n";
  return e;
}

}  // namespace pistesim
