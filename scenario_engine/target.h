// Where a scenario runs: the embedded simulator (in-process, no sockets, the default) or a
// running one reached over HTTP(S) (`--target URL`). Both speak the core's Request/Response
// values and expose the same control API, so a scenario behaves the same on either.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "journal/journal.h"
#include "oauth/profile.h"
#include "wire/http_message.h"

namespace pistesim::scenario {

// The base URLs a scenario's templates see ({{sandbox_oauth}}, …) and an exec'd client gets.
struct BaseUrls {
  std::string sandbox_oauth;     // PISTE: https://sandbox-oauth.piste.gouv.fr
  std::string sandbox_api;       // https://sandbox-api.piste.gouv.fr
  std::string production_oauth;  // https://oauth.piste.gouv.fr
  std::string production_api;    // https://api.piste.gouv.fr
  std::string control;           // pistesim's control API: …/__pistesim
};

class Target {
 public:
  virtual ~Target() = default;
  // "embedded" or the URL.
  virtual std::string description() const = 0;
  // The URLs templates use. For the embedded target they name a host that exists only in-process.
  virtual BaseUrls base_urls() const = 0;
  // Sends a request to an absolute URL (one of base_urls(), or a link read in an e-mail).
  // Control-API requests get the admin token added. An error when no answer came (connection
  // refused, an injected dropped connection, an unknown host), saying which and why.
  virtual Result<Response> send(const std::string& method, const std::string& url,
                                Request request) = 0;
  // Real sockets for a child process (exec steps): the embedded target starts a loopback
  // server on first use; a remote target returns its own URLs.
  virtual Result<BaseUrls> socket_urls() = 0;
  // The admin token exec'd commands get as PISTESIM_ADMIN_TOKEN.
  virtual std::string admin_token() const = 0;
  // Journal entries after `after_seq`, and the latest seq.
  virtual Result<std::vector<JournalEntry>> journal(uint64_t after_seq) = 0;
  virtual Result<uint64_t> journal_position() = 0;
  // Back to the starting world (POST /world/reset). Every scenario starts with it.
  virtual Result<void> reset() = 0;
};

struct TargetOptions {
  std::string url;          // empty: embedded
  std::string admin_token;  // remote: the server's (`pistesim serve` prints it)
  bool verify_tls = false;
  std::string ca_file;
  // Embedded: the world file ("" or "default": the embedded default world) and the start time
  // of its manual clock (0: 2026-11-23T09:00:00Z).
  std::string world;
  int64_t start_ms = 0;
  // Embedded: which behaviour profile the simulator follows (`pistesim conform --profile rfc`).
  Profile profile = Profile::Piste;
  // Remote: false for a server that is not a pistesim (another OAuth server, a staging gateway):
  // any http(s) URL may be sent to, no admin token is needed, reset() does nothing and the
  // journal cannot be read (the conformance suite's "plain" targets).
  bool control = true;
};

// An embedded simulator on its own world and clock, or a client of a remote one. An error when
// the world cannot be loaded or the URL is malformed.
Result<std::unique_ptr<Target>> make_target(const TargetOptions& options);

}  // namespace pistesim::scenario
