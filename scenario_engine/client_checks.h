// Judging a client from the journal (WIRE-12): how many tokens for how many calls, token reuse,
// re-authentication after 401, backoff after 429, credentials in URIs, one auth method per
// token request, no resend after a 400. docs/scenarios.md defines each check precisely; each
// failed check names the journal entries (seq) that show it.
#pragma once

#include <vector>

#include "journal/journal.h"
#include "scenario_engine/model.h"
#include "scenario_engine/result.h"

namespace pistesim::scenario {

// Token lifetime the checks assume when a token response's expiry is not in the journal.
inline constexpr int64_t kDefaultTokenLifetimeMs = 3600 * 1000;

std::vector<AssertionResult> check_client(const ClientExpectations& expect,
                                          const std::vector<JournalEntry>& entries);

}  // namespace pistesim::scenario
