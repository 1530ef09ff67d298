// TLS for the load generator's connections (https:// targets): one OpenSSL client context per
// run, shared by the worker threads (creating SSL objects from one SSL_CTX is thread-safe), with
// TLS 1.2 at least, certificate and host name verification unless told otherwise, and a client
// session cache so that a reconnection resumes its session instead of a full handshake.
#pragma once

#include <memory>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace pistesim::loadgen {

struct TlsClientOptions {
  bool verify = true;   // check the certificate chain and that it names the host
  std::string ca_file;  // PEM bundle trusted instead of the system's; empty: the system's
};

using TlsContext = std::shared_ptr<SSL_CTX>;

// Throws std::runtime_error when the CA file cannot be read.
TlsContext make_tls_client_context(const TlsClientOptions& options);

// A new client-side SSL on `fd` for `host` (SNI unless an IP address; verified name when the
// context verifies). nullptr when OpenSSL cannot allocate it.
SSL* new_tls_connection(SSL_CTX* context, int fd, const std::string& host);

// The queued OpenSSL errors as one line (and the queue emptied); `fallback` when there are none.
std::string take_tls_errors(const std::string& fallback);

}  // namespace pistesim::loadgen
