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

Result<std::unique_ptr<TargetAccess>> open_target(const TargetProfile& profile,
                                                  const TargetAccess* shared_embedded) {
  auto access = std::make_unique<TargetAccess>();
  scenario::TargetOptions options;
  options.verify_tls = profile.verify_tls;
  options.ca_file = profile.ca_file;
  if (profile.target == "embedded") {
    if (!shared_embedded) {
      scenario::TargetOptions embedded;
      embedded.world = profile.world;
      embedded.profile = parse_profile(profile.profile).value_or(Profile::Piste);
      auto owner = scenario::make_target(embedded);
      if (!owner) return owner.error();
      access->owner = std::move(owner).value();
    }
    scenario::Target& owner = shared_embedded ? *shared_embedded->owner : *access->owner;
    auto urls = owner.socket_urls();  // started once, by the first to ask
    if (!urls) return urls.error();
    const std::string origin = origin_of(*urls);
    const std::string token = owner.admin_token();
    options.url = origin;
    options.admin_token = token;
  } else {
    options.url = profile.target;
    options.admin_token = profile.admin_token;
    options.control = !profile.admin_token.empty();
  }
  auto target = scenario::make_target(options);
  if (!target) return target.error();
  access->target = std::move(target).value();
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
