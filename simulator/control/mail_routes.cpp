// /mail: the captured outbox (NOT-1). GET /mail?to=…&kind=…, GET /mail/{id}, DELETE /mail.
#include <algorithm>

#include "control/router.h"
#include "core/simulator.h"

namespace pistesim {

namespace {

json email_json(const Email& m) {
  json links = json::array();
  for (const auto& l : m.links) links.push_back({{"label", l.label}, {"url", l.url}});
  return {{"id", m.id},           {"sent_at", format_time(m.sent_at)},
          {"kind", m.kind},       {"to", m.to},
          {"subject", m.subject}, {"body", m.body},
          {"links", links}};
}

}  // namespace

void register_mail_routes(Router& r) {
  r.add("GET", "/mail",
        [](ControlCall& c) {
          json list = json::array();
          for (const auto& m : c.sim.mailbox().list(c.query("to"), c.query("kind")))
            list.push_back(email_json(m));
          return json_response(200, list);
        },
        {.query = {"to", "kind"}});
  r.add("GET", "/mail/{id}", [](ControlCall& c) {
    const std::string& text = c.params[0];
    bool numeric =
        !text.empty() && text.size() < 19 &&
        std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    auto m = numeric ? c.sim.mailbox().get(std::stoull(text)) : std::nullopt;
    if (!m)
      return error(404, "UNKNOWN_MAIL",
                   {"Aucun courriel n'a l'identifiant " + text, "no e-mail has the id " + text});
    return json_response(200, email_json(*m));
  });
  r.add("DELETE", "/mail", [](ControlCall& c) {
    return json_response(200, {{"deleted", c.sim.mailbox().clear()}});
  });
}

}  // namespace pistesim
