// The portal's JSON forms as the control API's portal routes take them (docs/control-api.md):
// one valid form each, for tests that need an account or an application and change what they
// test on top.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace pistesim::test {

// A password the portal's policy accepts (ACC-2).
inline const std::string kFormPassword = "Mon-Application-2025!";

// A registration (ACC-1) with the CGU accepted and the sandbox's captcha answer.
inline nlohmann::json registration_form(const std::string& email,
                                        const std::string& name = "Compte de test") {
  return {{"name", name},
          {"email", email},
          {"password", kFormPassword},
          {"password_confirmation", kFormPassword},
          {"cgu_accepted", true},
          {"captcha", "PISTE"}};
}

// A production application's creation form (APP-3).
inline nlohmann::json application_form(const std::string& name) {
  return {{"organisation", "mtes"},
          {"name", name},
          {"description", "Application de test"},
          {"phone", "+33 1 23 45 67 89"},
          {"email", "contact@example.fr"},
          {"structure_info", "SIRET 13001070900025"},
          {"responsible", "Camille Martin"}};
}

}  // namespace pistesim::test
