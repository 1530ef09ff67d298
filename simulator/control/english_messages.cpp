// The English of each portal error code. Portal operations word their errors in French, as
// piste.gouv.fr does, and those words stay the body's `message`; the control API adds this
// `message_en` for readers of its English docs and CLI. One sentence per stable code (the French
// one may name the entity at fault; `field` and `details` carry it here).
#include <map>

#include "control/control_support.h"

namespace pistesim {

namespace {

const std::map<std::string_view, std::string_view>& table() {
  static const std::map<std::string_view, std::string_view> kEnglish = {
      // Input.
      {"MISSING_FIELD", "The field « {field} » is required."},
      {"INVALID_FIELD", "The field « {field} » has an invalid value."},
      {"INVALID_EMAIL", "The e-mail address is not valid."},
      {"INVALID_PHONE",
       "A phone number may hold only digits, spaces and the characters « + », « . » and « - »."},
      {"INVALID_NAME",
       "An application name may hold only letters, digits, « - » and « _ », within the length "
       "limit."},
      {"FIELD_TOO_LONG", "The field « {field} » is too long."},
      {"INVALID_ORGANISATION", "Choose one of your organisations."},
      {"INVALID_CAPTCHA", "The characters typed do not match the captcha."},
      {"INVALID_X509", "The X.509 certificate cannot be read (Base64 DER or PEM expected)."},
      {"INVALID_PERIOD",
       "Give the period by « days », by « from »/« to » or by « period », one "
       "of them, with the start before the end."},
      {"PASSWORD_POLICY",
       "The password breaks the password policy (each failed rule is in "
       "« details »)."},
      {"PASSWORD_MISMATCH", "The confirmation does not match the password."},
      {"PASSWORD_UNCHANGED", "The new password must differ from the current one."},
      {"WRONG_PASSWORD", "The current password is wrong."},
      {"CGU_NOT_ACCEPTED", "The terms of use (CGU) must be accepted first."},
      // Chorus Pro's raccordement (portal/chorus_pro_raccordements.h).
      {"CPRO_INVALID_SIRET", "A SIRET has 14 digits."},
      {"CPRO_STRUCTURE_EXISTS", "That Chorus Pro structure exists already."},
      {"CPRO_UNKNOWN_STRUCTURE", "No Chorus Pro structure has that SIRET."},
      {"CPRO_TECHNICAL_CONTACT", "Give the technical contact's name and e-mail address."},
      {"CPRO_SANDBOX_APPLICATION",
       "A SANDBOX application cannot be named for a Production raccordement."},
      {"CPRO_UNKNOWN_APPLICATION",
       "No PISTE application of the environment's channel has that name."},
      {"CPRO_ALREADY_CONNECTED",
       "An active raccordement of this structure names that application already."},
      {"CPRO_UNKNOWN_RACCORDEMENT", "No raccordement has that id."},
      {"CPRO_INVALID_LOGIN", "The technical account's login is required and has no « : »."},
      {"CPRO_NO_RACCORDEMENT",
       "Declare a PISTE raccordement for the structure on that environment first."},
      {"CPRO_LOGIN_TAKEN", "That technical account exists already on this environment."},
      {"CPRO_UNKNOWN_TECHNICAL_ACCOUNT",
       "No technical account has that login on this environment."},
      {"MOTIF_REQUIRED", "The reason (« {field} ») is required."},
      {"MOTIF_BLANK", "The reason (« {field} ») cannot be only spaces."},
      {"MOTIF_TOO_SHORT", "The reason (« {field} ») needs at least 3 characters."},
      {"MOTIF_TOO_LONG", "The reason (« {field} ») may hold at most 200 characters."},
      {"IDS_REQUIRED", "Select at least one access request."},
      {"API_REQUIRED", "The API is required."},
      {"APPLICATION_REQUIRED", "The target application is required."},
      {"APPLICATIONS_REQUIRED", "Select at least one application."},
      {"SCOPES_REQUIRED", "Select at least one scope of the API."},
      {"TOO_MANY_EMAILS", "Too many e-mail addresses at once (100 at most)."},
      // Who acts.
      {"NOT_LOGGED_IN",
       "Not logged in, or the credentials do not match an active account (X-Pistesim-Session "
       "or X-Pistesim-User)."},
      {"LOGIN_FAILED", "The credentials do not match, or you do not have an active account."},
      {"SESSION_EXPIRED", "The session has expired: log in again."},
      {"PLATFORM_CGU_REQUIRED", "Accept PISTE's current terms of use (POST /portal/cgu/accept)."},
      {"PLATFORM_CGU_ALREADY_ACCEPTED", "PISTE's current terms of use are already accepted."},
      {"PASSWORD_CHANGE_REQUIRED", "Change the temporary password first (POST /portal/password)."},
      {"NOT_ORGADMIN", "Only an administrator of the organisation may do this."},
      {"ORGANISATION_NOT_ADMINISTERED", "You do not administer that organisation."},
      {"NOT_APPROVER", "You are not an approver of that API."},
      {"NOT_RESPONSIBLE", "You are not responsible for that API."},
      {"NOT_ALLOWED",
       "Only the application's owner and its organisation's administrators may see its "
       "metrics."},
      {"APPLICATION_NOT_ALLOWED", "That application does not belong to your organisation."},
      {"SANDBOX_CREATION_FORBIDDEN",
       "SANDBOX applications are made by PISTE itself; only PRODUCTION applications can be "
       "created."},
      {"CANNOT_DEACTIVATE_SELF", "You cannot deactivate your own account."},
      {"CANNOT_DELETE_SELF", "You cannot delete your own account."},
      {"DEMO_USER", "The simulated world's demo account cannot be deleted."},
      {"OUTSIDE_PERIMETER",
       "The user also belongs to an organisation you do not administer: you can only "
       "decommission them from yours."},
      // Unknown things.
      {"UNKNOWN_USER", "Unknown user."},
      {"UNKNOWN_API", "Unknown API."},
      {"UNKNOWN_APPLICATION", "Unknown application."},
      {"UNKNOWN_ORGANISATION", "Unknown organisation."},
      {"UNKNOWN_ORGANISATION_CODE", "Unknown organisation code."},
      {"UNKNOWN_ACCESS_REQUEST", "Unknown access request."},
      {"UNKNOWN_SCOPE", "Unknown scope for that API (listed in « details »)."},
      {"UNKNOWN_SUBSCRIPTION", "The application has no access to that API."},
      {"UNKNOWN_API_KEY", "Unknown API key."},
      {"UNKNOWN_CLIENT", "Unknown OAuth client."},
      {"INVALID_ACTIVATION_LINK", "This activation link is not valid or was already used."},
      {"INVALID_RESET_LINK", "This password reset link is not valid or was already used."},
      {"EXPIRED_RESET_LINK",
       "This password reset link has expired: ask again from « Mot de passe oublié ? »."},
      // State conflicts.
      {"EMAIL_TAKEN", "A PISTE account already exists with that e-mail address."},
      {"NAME_TAKEN", "An application already has that name."},
      {"NAME_IMMUTABLE", "An application's name cannot be changed."},
      {"ORGANISATION_IMMUTABLE", "An application's organisation cannot be changed."},
      {"APPLICATION_UNDELETABLE",
       "This application was made by PISTE: ask PISTE's support to delete it."},
      {"APPLICATION_DELETED", "The application of that access request no longer exists."},
      {"REQUEST_ALREADY_DECIDED", "That access request has already been decided."},
      {"NO_APPROVED_ACCESS", "The application has no approved access to that API."},
      {"ACCESS_REVOKED", "The application's access to that API was revoked by its administrator."},
      {"APPROVAL_REQUIRED",
       "That API needs its approver's validation: submit an access request "
       "(POST /portal/access-requests)."},
      {"WRONG_CHANNEL", "The API is not published on the application's environment."},
      {"NOT_PUBLISHED", "The API is not published on that environment."},
      {"NO_CGU", "That API has no terms of use to accept."},
      {"NO_SECRET", "A public OAuth client has no secret."},
  };
  return kEnglish;
}

}  // namespace

bool has_english_message(std::string_view code) {
  return table().count(code) > 0;
}

std::string english_message(const PortalError& e) {
  auto it = table().find(e.code);
  // A code without a sentence still says where to look rather than nothing.
  std::string text = it != table().end()
                         ? std::string(it->second)
                         : "Refused (" + e.code + "): the French « message » says why.";
  const std::string placeholder = "{field}";
  if (auto at = text.find(placeholder); at != std::string::npos)
    text.replace(at, placeholder.size(), e.field.empty() ? "?" : e.field);
  return text;
}

}  // namespace pistesim
