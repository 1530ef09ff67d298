#include "mail/account_mails.h"

namespace pistesim {

namespace {

// The notice under PISTE's account e-mails, as 000 §3.2.2 quotes it.
constexpr std::string_view kNoReplyNotice =
    "Veuillez noter que ce message vous a été envoyé d'une adresse qui ne peut recevoir de "
    "réponse. Conformément à la Loi Informatique et Libertés du 06/01/1978 telle que modifiée, "
    "vous disposez d'un droit d'accès, de modification et de suppression de vos données "
    "nominatives.";

// A link in a plain-text body: the anchor text, then the URL a reader can follow.
std::string anchor(std::string_view label, const std::string& url) {
  return std::string(label) + " : " + url;
}

}  // namespace

// The text 001 step 4 quotes (both languages, with its typos: « Veillez », « GPDR »); the subject
// is the one 002 §2 shows. Sent when the world asks for the legacy e-mail.
Email legacy_activation_mail(const User& user, const std::string& link) {
  Email m;
  m.kind = kMailActivation;
  m.to = user.email;
  m.subject = "Demande d'inscription PISTE / PISTE Registration Request";
  m.body =
      "Bonjour,\n\n"
      "Nous vous remercions de votre inscription sur PISTE.\n\n"
      "Pour confirmer votre courriel et activer votre compte, veuillez cliquer sur le lien "
      "suivant :\n\n" +
      anchor("Activer votre compte", link) +
      "\n\n"
      "Si vous n'êtes pas à l'origine de cette demande, merci de l'ignorer.\n\n"
      "Veillez noter que ce message vous a été envoyé d'une adresse qui ne peut recevoir de "
      "réponse.\n"
      "Conformément à la Loi Informatique et Libertés du 06/01/1978 telle que modifiée, vous "
      "disposez d'un droit d'accès, de modification et de suppression de vos données "
      "nominatives.\n\n"
      "---\n\n"
      "Hello,\n\n"
      "Thank you for your registration on PISTE.\n\n"
      "To confirm your email address and activate your account please click on the link "
      "below:\n\n" +
      anchor("Activate your Account", link) +
      "\n\n"
      "If you are not requesting a new account on PISTE, please ignore this email.\n\n"
      "Please note this email has been sent from an email address which cannot receive any "
      "email.\n"
      "According to GPDR, you have rights to access, modify and delete your personal data.\n";
  m.links = {{"Activer votre compte", link}, {"Activate your Account", link}};
  return m;
}

// PISTE's current e-mail, as 002 §2 shows it: a heading, the same request, the « généré
// automatiquement » notice, the support line and the RGPD notice (002's capture is cut after
// « droit d'accès »: the rest of that sentence is ours). 002 shows the French only; the subject is
// bilingual and ACC-3 promises both languages, so the English half is our translation.
Email current_activation_mail(const User& user, const std::string& link) {
  Email m;
  m.kind = kMailActivation;
  m.to = user.email;
  m.subject = "Demande d'inscription PISTE / PISTE Registration Request";
  m.body =
      "Activez votre compte PISTE\n\n"
      "Bonjour,\n\n"
      "Nous vous remercions de votre inscription sur PISTE.\n"
      "Pour confirmer votre courriel et activer votre compte, veuillez cliquer sur le lien "
      "suivant :\n\n" +
      anchor("Activer votre compte", link) +
      "\n\n"
      "Si vous n'êtes pas à l'origine de cette demande, merci de l'ignorer.\n\n"
      "Ce courriel a été généré automatiquement par PISTE. Merci de ne pas y répondre.\n\n"
      "Vous rencontrez un problème avec PISTE ? Contactez notre Support.\n\n"
      "Retrouvez toute l'information sur le traitement de vos données personnelles dans les CGU "
      "de la plateforme PISTE. Conformément au règlement général sur la protection des données "
      "(RGPD) et à la loi du 6 janvier 1978 relative à l'informatique, aux fichiers et aux "
      "libertés (loi informatique et libertés), vous disposez d'un droit d'accès, de "
      "rectification et d'effacement des données vous concernant.\n\n"
      "---\n\n"
      "Activate your PISTE account\n\n"
      "Hello,\n\n"
      "Thank you for registering on PISTE.\n"
      "To confirm your e-mail address and activate your account, please click on the link "
      "below:\n\n" +
      anchor("Activate your Account", link) +
      "\n\n"
      "If you did not make this request, please ignore this e-mail.\n\n"
      "This e-mail was generated automatically by PISTE. Please do not reply to it.\n\n"
      "A problem with PISTE? Contact our Support.\n\n"
      "The CGU of the PISTE platform say how your personal data are processed. Under the General "
      "Data Protection Regulation (GDPR) and the French law of 6 January 1978, you have the right "
      "to access, correct and erase the data about you.\n";
  m.links = {{"Activer votre compte", link}, {"Activate your Account", link}};
  return m;
}

Email activation_mail(const User& user, const std::string& link, std::string_view style) {
  return style == "legacy" ? legacy_activation_mail(user, link)
                           : current_activation_mail(user, link);
}

// 000 §3.2.2 says only « un email vous demandant de confirmer cette opération en cliquant sur un
// lien de confirmation »: the wording is a choice, in the style of the e-mails it quotes.
Email password_reset_request_mail(const User& user, const std::string& link) {
  Email m;
  m.kind = kMailPasswordResetRequest;
  m.to = user.email;
  m.subject = "Réinitialisation du mot de passe PISTE";
  m.body =
      "Bonjour,\n\n"
      "Une demande de réinitialisation du mot de passe de votre compte sur PISTE a été "
      "effectuée.\n\n"
      "Pour confirmer cette opération, veuillez cliquer sur le lien suivant :\n\n" +
      anchor("Confirmer la réinitialisation", link) +
      "\n\n"
      "Ce lien est valable 24 heures. Si vous n'êtes pas à l'origine de cette demande, merci de "
      "l'ignorer : votre mot de passe reste inchangé.\n\n" +
      std::string(kNoReplyNotice) + "\n";
  m.links = {{"Confirmer la réinitialisation", link}};
  return m;
}

// Quoted from 000 §3.2.2.
Email password_reset_mail(const User& user, const std::string& temporary_password,
                          const std::string& login_link) {
  Email m;
  m.kind = kMailPasswordReset;
  m.to = user.email;
  m.subject = "Changement de mot de passe réussi";
  m.body =
      "Bonjour,\n\n"
      "Le mot de passe de votre compte sur PISTE a été réinitialisé.\n\n"
      "Votre nouveau mot de passe est : " +
      temporary_password +
      "\n\n"
      "Une fois connecté avec ce nouveau mot de passe, veuillez le changer depuis votre Profil. "
      "Cliquez ici pour vous connecter.\n" +
      anchor("ici", login_link) + "\n\n" + std::string(kNoReplyNotice) + "\n";
  m.links = {{"ici", login_link}};
  return m;
}

// 000 §11.2 says only that the temporary password « lui soit adressé sur son adresse mail »: the
// wording follows « Changement de mot de passe réussi » (choice).
Email account_created_mail(const User& user, std::string_view organisation_name,
                           const std::string& temporary_password, const std::string& login_link) {
  Email m;
  m.kind = kMailAccountCreated;
  m.to = user.email;
  m.subject = "Création de votre compte PISTE";
  m.body =
      "Bonjour,\n\n"
      "Un compte a été créé pour vous sur PISTE par un administrateur de l'organisation " +
      std::string(organisation_name) +
      ".\n\n"
      "Votre identifiant est : " +
      user.email +
      "\n"
      "Votre mot de passe temporaire est : " +
      temporary_password +
      "\n\n"
      "Une fois connecté avec ce mot de passe, veuillez le changer depuis votre Profil. "
      "Cliquez ici pour vous connecter.\n" +
      anchor("ici", login_link) + "\n\n" + std::string(kNoReplyNotice) + "\n";
  m.links = {{"ici", login_link}};
  return m;
}

}  // namespace pistesim
