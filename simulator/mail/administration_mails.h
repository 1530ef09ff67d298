// E-mails of the ADMINISTRATION area and of the gateway's quota (NOT-1): « enrolment done », sent
// to each user an OrgAdmin enrolled (002 §4: « Un mail vous sera adressé dès validation de votre
// enrôlement »), and « quota exceeded », sent to an application's contact e-mail (001 §3: the
// contact address receives « dépassement de quotas » notifications). The seeds quote neither
// text: both are choices, in PISTE's French.
#pragma once

#include "clock/clock.h"
#include "mail/mailbox.h"
#include "world/world.h"

namespace pistesim {

// kind "enrolment": `user` was enrolled in `organisation`, which gave them `sandbox` and
// `production` (either may be null when it already existed).
Email enrolment_email(const User& user, const Organisation& organisation,
                      const Application* sandbox, const Application* production);

// kind "quota_exceeded": to the application's contact e-mail (its owner's when it has none).
Email quota_exceeded_email(const Application& app, const Api& api, const QuotaSpec& quota,
                           Millis at, Millis window_end);

// "23/11/2026 à 11:00:01" in Europe/Paris time, as PISTE dates its e-mails.
std::string paris_datetime(Millis utc_ms);

}  // namespace pistesim
