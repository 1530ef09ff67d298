#include "exchange_printer.h"

#include "wire/encoding.h"

namespace pistesim::cli {

std::string mask_secret(const std::string& secret) {
  if (secret.size() <= 8) return "(redacted)";
  return secret.substr(0, 6) + "…(redacted)";
}

namespace {
// Masks client_secret in a form body and bearer tokens / Basic credentials in headers.
std::string mask_body(const std::string& body, const std::string& content_type) {
  if (content_type.find("x-www-form-urlencoded") == std::string::npos) return body;
  auto params = parse_form(body);
  if (!params) return body;
  std::string out;
  for (const auto& p : *params) {
    if (!out.empty()) out += "&";
    out += form_encode(p.name) + "=" +
           (p.name == "client_secret" ? mask_secret(p.value) : form_encode(p.value));
  }
  return out;
}

std::string mask_header(const Header& h) {
  if (iequals(h.name, "Authorization")) {
    size_t sp = h.value.find(' ');
    if (sp != std::string::npos)
      return h.value.substr(0, sp + 1) + mask_secret(h.value.substr(sp + 1));
  }
  if (iequals(h.name, "KeyId") || iequals(h.name, "cpro-account")) return mask_secret(h.value);
  return h.value;
}
}  // namespace

void print_exchange(std::ostream& out, const std::string& host, const Request& request,
                    const Response& response) {
  out << "> " << request.method << " " << request.path
      << (request.query.empty() ? "" : "?" + request.query) << " HTTP/1.1\n> Host: " << host
      << "\n";
  for (const auto& h : request.headers) out << "> " << h.name << ": " << mask_header(h) << "\n";
  out << ">\n";
  if (!request.body.empty())
    out << mask_body(request.body, request.headers.get("Content-Type")) << "\n";
  out << "< HTTP/1.1 " << response.status << " " << reason_phrase(response.status) << "\n";
  for (const auto& h : response.headers) {
    if (iequals(h.name, "Keep-Alive") || iequals(h.name, "Connection")) continue;
    out << "< " << h.name << ": " << h.value << "\n";
  }
  out << "<\n";
  std::string body = response.body;
  // Access tokens in a token answer are shown shortened; the demo needs no more to be followed.
  size_t at = body.find("\"access_token\":\"");
  if (at != std::string::npos) {
    size_t start = at + 16, end = body.find('"', start);
    if (end != std::string::npos)
      body.replace(start, end - start, mask_secret(body.substr(start, end - start)));
  }
  if (!body.empty()) out << body << "\n";
  out << "\n";
}

}  // namespace pistesim::cli
