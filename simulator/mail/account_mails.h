// The e-mails of the account area (NOT-1): activation (bilingual, 001 step 4 / 002 §2), the
// password reset confirmation request and « Changement de mot de passe réussi » (000 §3.2.2), and
// the account an OrgAdmin created with a generated temporary password (000 §11.2).
#pragma once

#include <string>
#include <string_view>

#include "mail/mailbox.h"
#include "world/world.h"

namespace pistesim {

// Email::kind values.
inline constexpr std::string_view kMailActivation = "activation";
inline constexpr std::string_view kMailPasswordResetRequest = "password_reset_request";
inline constexpr std::string_view kMailPasswordReset = "password_reset";
inline constexpr std::string_view kMailAccountCreated = "account_created";

// `style`: WorldSettings::activation_mail ("current": 002's text; "legacy": 001's).
Email activation_mail(const User& user, const std::string& activation_link, std::string_view style);
Email password_reset_request_mail(const User& user, const std::string& confirmation_link);
Email password_reset_mail(const User& user, const std::string& temporary_password,
                          const std::string& login_link);
Email account_created_mail(const User& user, std::string_view organisation_name,
                           const std::string& temporary_password, const std::string& login_link);

}  // namespace pistesim
