#include "conformance/target_access.h"

#include "oauth/profile.h"

namespace pistesim::conformance {

namespace {

// A9: a form body well past any sane limit (pistesim's is 1 MiB; Express's 100 kB).
constexpr size_t kOversizedBodyBytes = 2 * 1024 * 1024;

std::string origin_of(const scenario::BaseUrls& urls) {
  // urls.control is "<origin>/__pistesim".
  return urls.control.substr(0, urls.control.size() - std::string("/__pistesim").size());
}

}  // namespace

std::unique_ptr<TargetAccess> open_target(const TargetProfile& profile, std::string* error,
                                          const TargetAccess* shared_embedded) {
  auto access = std::make_unique<TargetAccess>();
  scenario::TargetOptions options;
  options.verify_tls = profile.verify_tls;
  options.ca_file = profile.ca_file;
  if (profile.target == "embedded") {
    std::string origin, token;
    if (shared_embedded) {
      std::string why;
      origin = origin_of(shared_embedded->owner->socket_urls(&why));
      token = shared_embedded->owner->admin_token();
    } else {
      scenario::TargetOptions embedded;
      embedded.world = profile.world;
      embedded.profile = parse_profile(profile.profile).value_or(Profile::Piste);
      access->owner = scenario::make_target(embedded, error);
      if (!access->owner) return nullptr;
      std::string why;
      auto urls = access->owner->socket_urls(&why);
      if (urls.control.empty()) {
        if (error) *error = why;
        return nullptr;
      }
      origin = origin_of(urls);
      token = access->owner->admin_token();
    }
    options.url = origin;
    options.admin_token = token;
  } else {
    options.url = profile.target;
    options.admin_token = profile.admin_token;
    options.control = !profile.admin_token.empty();
  }
  access->target = scenario::make_target(options, error);
  if (!access->target) return nullptr;
  return access;
}

scenario::Scenario with_profile_vars(const scenario::Scenario& check_scenario,
                                     const TargetProfile& profile) {
  scenario::Scenario sc = check_scenario;
  std::map<std::string, std::string> vars = profile.vars;
  // A pistesim names its own endpoints: the SANDBOX channel unless the profile says otherwise.
  if (profile.control()) {
    vars.try_emplace("token_url", "{{sandbox_oauth}}/api/oauth/token");
    vars.try_emplace("api_base", "{{sandbox_api}}");
  }
  for (const auto& [k, v] : vars) sc.vars[k] = v;
  sc.vars["profile"] = profile.profile;
  std::string big = "grant_type=client_credentials&padding=";
  big.append(kOversizedBodyBytes, 'a');
  sc.vars["oversized_body"] = std::move(big);
  return sc;
}

}  // namespace pistesim::conformance
