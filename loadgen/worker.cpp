#include "loadgen/worker.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "loadgen/tls_client.h"
#include "wire/encoding.h"

namespace pistesim::loadgen {

Nanos mono_now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Nanos{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

Millis wall_ms() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return Millis{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

Worker::Worker(size_t id, const Workload& w, const TargetInfo& t,
               std::vector<const AppCredentials*> apps, size_t connections,
               std::vector<NodeAddress> addrs, SSL_CTX* tls)
    : id_(id),
      w_(w),
      t_(t),
      nodes_(nodes_of(t)),
      picker_(w.mix, id + 1),
      addrs_(std::move(addrs)),
      tls_(tls) {
  const size_t n = nodes_.size();
  for (const AppCredentials* a : apps) {
    AppState s;
    s.cred = a;
    s.tokens.resize(t.token_per_node ? n : 1);
    s.home = static_cast<uint16_t>(static_cast<size_t>(a - t.apps.data()) % n);
    s.token_form = "grant_type=client_credentials&client_id=" + form_encode(a->client_id) +
                   "&client_secret=" + form_encode(a->client_secret) + "&scope=openid";
    if (a->quota.limit > 0) {
      auto [it, inserted] = result.ledgers.try_emplace(a->id, a->id, a->quota);
      s.ledger = &it->second;
    }
    apps_.push_back(std::move(s));
  }
  // At least one connection to each node, each node an equal share.
  conns_.resize(std::max<size_t>(n, connections));
  queues_.resize(n);
  node_answers_.resize(n);
  for (size_t i = 0; i < conns_.size(); ++i) {
    conns_[i].node = static_cast<uint16_t>(i % n);
    queues_[i % n].conns.push_back(i);
  }
  // Request targets and header lines are built once: the request path allocates nothing.
  for (int ch = 0; ch < 2; ++ch) {
    token_target_[ch] = t.oauth_prefix[ch] + "/api/oauth/token";
    for (const auto& m : w.mix)
      targets_[ch].push_back(m.kind == RequestKind::Plain ? m.path : t.api_prefix[ch] + m.path);
  }
  for (const auto& m : w.mix) {
    needs_token_.push_back(m.kind == RequestKind::Api || m.kind == RequestKind::UnknownPath);
    content_type_.push_back(m.content_type.empty() ? ""
                                                   : "Content-Type: " + m.content_type + "\r\n");
  }
}

Worker::~Worker() {
  for (auto& c : conns_) {
    if (c.ssl) SSL_free(c.ssl);
    if (c.session) SSL_SESSION_free(c.session);
    if (c.fd >= 0) ::close(c.fd);
  }
  if (epfd_ >= 0) ::close(epfd_);
}

size_t Worker::outstanding() const {
  size_t ready = 0;
  for (const auto& q : queues_) ready += q.ready.size();
  return ready + parked_ + inflight_;
}

void Worker::open_arrivals() {
  // One stream per application, its phase set by its place in its group over every thread.
  std::vector<size_t> group_size(w_.groups.size(), 0);
  std::vector<size_t> position(t_.apps.size(), 0);
  for (size_t i = 0; i < t_.apps.size(); ++i) position[i] = group_size[t_.apps[i].group]++;
  for (const auto& a : apps_) {
    const size_t i = static_cast<size_t>(a.cred - t_.apps.data());
    arrivals_.add(
        arrival_stream(w_, w_.groups[a.cred->group], position[i], group_size[a.cred->group]));
  }
}

void Worker::error(const std::string& kind, Millis when_wall) {
  result.errors[kind]++;
  result.seconds[when_wall / 1000].errors++;
  progress.errors.fetch_add(1, std::memory_order_relaxed);
}

void Worker::record_latency(const Pending& p, Nanos latency, Millis done_wall) {
  if (!p.token_fetch) result.latency.record(latency);
  SecondStats& s = result.seconds[done_wall / 1000];
  s.completed++;
  if (!p.token_fetch) s.latency.record(latency);
  if (p.token_fetch) return;
  result.completed++;
  progress.completed.fetch_add(1, std::memory_order_relaxed);
}

void Worker::start_fetch(uint32_t app, size_t slot, Nanos now) {
  AppState& a = apps_[app];
  if (a.tokens[slot].fetching) return;
  a.tokens[slot].fetching = true;
  Pending p;
  p.intended = now;
  p.app = app;
  p.node = issuer_of(a, slot);
  p.token_fetch = true;
  // Ahead of the queue: everything of this application waits for it.
  queues_[p.node].ready.push_front(p);
}

void Worker::dispatch(const Pending& given, Nanos now) {
  Pending p = given;
  AppState& a = apps_[p.app];
  p.node = static_cast<uint16_t>(a.next_node++ % nodes_.size());
  if (needs_token_[p.mix]) {
    const size_t slot = slot_of(p.node);
    TokenSlot& tok = a.tokens[slot];
    bool usable = !tok.auth_header.empty() && now < tok.expires_at;
    if (!usable || now >= tok.renew_at) start_fetch(p.app, slot, now);
    if (!usable) {
      tok.waiting.push_back(p);
      parked_++;
      return;
    }
  }
  queues_[p.node].ready.push_back(p);
}

bool Worker::connect(Conn& c, Nanos now) {
  if (c.retry_at > now) return false;
  auto opened = c.open(addrs_[c.node], tls_, nodes_[c.node].host);
  if (!opened) {
    c.retry_at = now + 100000000;  // 100 ms: do not spin against a target that is down
    error(opened.error().message, wall_of(now));
    return false;
  }
  return true;
}

void Worker::handshake(Conn& c) {
  const auto step = c.handshake();
  if (!step) {
    c.retry_at = mono_now() + 100000000;  // as a refused connection: do not spin
    fail(c, "TLS handshake: " + step.error().message);
  } else if (*step == Handshake::Done) {
    if (c.busy && c.out_off < c.out.size())
      flush(c);
    else
      c.set_write_interest(false);
  }
}

void Worker::send_on(Conn& c, const Pending& p, Nanos now) {
  const AppState& a = apps_[p.app];
  const AppCredentials& cred = *a.cred;
  const int ch = static_cast<int>(cred.channel);
  const std::string& host = nodes_[c.node].host_header;
  c.out.clear();
  c.out_off = 0;
  c.req = p;
  c.token_fp = 0;
  c.busy = true;
  c.parser.reset();
  hdr_.clear();
  static constexpr std::string_view kFormHeaders =
      "Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n";
  if (p.token_fetch) {
    write_request(c.out, "POST", token_target_[ch], host, kFormHeaders, a.token_form);
  } else {
    const MixEntry& m = w_.mix[p.mix];
    switch (m.kind) {
      case RequestKind::Token:
        write_request(c.out, "POST", token_target_[ch], host, kFormHeaders, a.token_form);
        break;
      case RequestKind::Api:
      case RequestKind::UnknownPath:
        hdr_ = a.tokens[slot_of(p.node)].auth_header;
        c.token_fp = a.tokens[slot_of(p.node)].token_fp;
        [[fallthrough]];
      case RequestKind::MissingToken:
      case RequestKind::Plain:
        hdr_ += content_type_[p.mix];
        write_request(c.out, m.method, targets_[ch][p.mix], host, hdr_, m.body);
        break;
    }
    Nanos lag = now - p.intended;
    if (lag > result.max_send_lag_ns) result.max_send_lag_ns = lag;
    progress.sent.fetch_add(1, std::memory_order_relaxed);
  }
  inflight_++;
  c.sent_wall = wall_ms();
  if (!c.connecting && !c.handshaking) flush(c);
}

void Worker::flush(Conn& c) {
  while (c.out_off < c.out.size()) {
    const auto sent = c.write_some(c.out.data() + c.out_off, c.out.size() - c.out_off);
    if (!sent) {
      fail(c, sent.error().message);
      return;
    }
    if (sent->kind == Transfer::Moved) {
      c.out_off += sent->bytes;
      continue;
    }
    if (sent->kind == Transfer::Again) return;  // resumes when the socket is ready
    fail(c, "send: connection closed");
    return;
  }
  c.set_write_interest(false);
}

void Worker::on_writable(Conn& c) {
  if (c.connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      c.retry_at = mono_now() + 100000000;
      fail(c, std::string("connect: ") + std::strerror(err));
      return;
    }
    c.connecting = false;
  }
  if (c.handshaking) {
    handshake(c);
  } else if (c.busy) {
    flush(c);
  } else {
    c.set_write_interest(false);
  }
}

void Worker::fail(Conn& c, const std::string& why) {
  Millis now_wall = wall_ms();
  if (c.busy) {
    c.busy = false;
    inflight_--;
    Pending p = c.req;
    AppState& a = apps_[p.app];
    error(why, now_wall);
    std::string kind = p.token_fetch ? "token_fetch" : std::string(to_string(w_.mix[p.mix].kind));
    KindStats& ks = result.kinds[kind];
    ks.count++;
    ks.statuses[0]++;
    if (p.token_fetch) {
      const size_t slot = slot_of(p.node);
      a.tokens[slot].fetching = false;
      // Retry the fetch at once if requests still wait for it.
      if (!a.tokens[slot].waiting.empty()) start_fetch(p.app, slot, mono_now());
    } else {
      record_latency(p, mono_now() - p.intended, now_wall);
      if (w_.mix[p.mix].kind == RequestKind::Api && a.ledger) {
        // The call may have been counted by the quota before the connection broke.
        const TargetNode& node = nodes_[c.node];
        a.ledger->record(QuotaOutcome::Lost,
                         c.sent_wall + node.clock_offset_ms - node.clock_uncertainty_ms,
                         now_wall + node.clock_offset_ms + node.clock_uncertainty_ms);
      }
    }
  } else if (!c.connecting && !c.handshaking) {
    // An idle keep-alive connection closed by the server: not an error, reconnect quietly.
  } else {
    error(why, now_wall);  // a connection that could not be set up (TCP or TLS)
  }
  c.close();
}

void Worker::on_readable(Conn& c) {
  if (c.handshaking) {
    if (!c.connecting) handshake(c);
    return;
  }
  if (c.busy && c.out_off < c.out.size()) {  // a TLS write that waited for a read
    flush(c);
    if (c.fd < 0) return;
  }
  char buf[65536];
  for (;;) {
    const auto got = c.read_some(buf, sizeof buf);
    if (!got) {
      fail(c, got.error().message);
      return;
    }
    if (got->kind == Transfer::Moved) {
      const size_t n = got->bytes;
      if (!c.busy) {
        fail(c, "bytes received with no request in flight");
        return;
      }
      size_t used = 0;
      auto state = c.parser.feed(buf, n, &used);
      if (state == ResponseParser::State::Error) {
        fail(c, "malformed response: " + c.parser.error());
        return;
      }
      if (state == ResponseParser::State::Complete) {
        if (used != n) {
          fail(c, "bytes after the response");
          return;
        }
        complete(c);
        return;
      }
      // A short read drained the socket; OpenSSL may still hold decrypted bytes: read on.
      if (!c.ssl && n < sizeof buf) return;
      continue;
    }
    if (got->kind == Transfer::Closed) fail(c, "connection closed by the target");
    return;  // Again: the socket is drained
  }
}

void Worker::complete(Conn& c) {
  const Nanos now = mono_now();
  const Millis now_wall = wall_ms();
  const Pending p = c.req;
  const ResponseHead& h = c.parser.head();
  AppState& a = apps_[p.app];
  c.busy = false;
  inflight_--;
  const int status = h.status;
  const Nanos latency = now - p.intended;
  const std::string kind =
      p.token_fetch ? "token_fetch" : std::string(to_string(w_.mix[p.mix].kind));
  KindStats& ks = result.kinds[kind];
  ks.count++;
  ks.statuses[status]++;
  ks.latency.record(latency);
  record_latency(p, latency, now_wall);
  const bool server_error = status >= 500;
  const TargetNode& node = nodes_[c.node];
  const Millis from = c.sent_wall + node.clock_offset_ms - node.clock_uncertainty_ms;
  const Millis to = now_wall + node.clock_offset_ms + node.clock_uncertainty_ms;
  node_answers_[c.node]++;
  TokenSlot& tok = a.tokens[slot_of(p.node)];

  if (p.token_fetch || (!p.token_fetch && w_.mix[p.mix].kind == RequestKind::Token)) {
    TokenCheck check = check_token_response(h, c.parser.body());
    if (!check.problem.empty()) {
      if (status == 200) {
        result.invalid_tokens[check.problem]++;
      } else {
        error("token endpoint: status " + std::to_string(status), now_wall);
      }
    } else {
      result.tokens_issued++;
      uint64_t fp = token_fingerprint(check.access_token);
      bool fresh = recent_tokens_.insert(fp);
      if (recent_tokens_.forgot_some()) result.uniqueness_window = recent_tokens_.capacity();
      if (!fresh) {
        result.duplicate_tokens++;
      } else if (result.token_fingerprints.size() < LoadResult::kMaxFingerprints) {
        result.token_fingerprints.push_back(fp);
      } else {
        result.fingerprints_complete = false;
      }
      if (p.token_fetch) {
        tok.auth_header = "Authorization: Bearer " + check.access_token + "\r\n";
        tok.token_fp = fp;
        const Nanos life = Nanos{check.expires_in} * 1000000000;
        tok.expires_at = now + life;
        tok.renew_at = now + static_cast<Nanos>(static_cast<double>(life) * w_.renew_at);
      }
    }
    if (p.token_fetch) {
      tok.fetching = false;
      if (tok.auth_header.empty() && !tok.waiting.empty()) {
        // No token: the parked requests fail with the fetch rather than wait forever.
        for (const Pending& q : tok.waiting) {
          error("no token for the application", now_wall);
          record_latency(q, now - q.intended, now_wall);
        }
      } else {
        for (const Pending& q : tok.waiting) queues_[q.node].ready.push_back(q);
      }
      parked_ -= tok.waiting.size();
      tok.waiting.clear();
    }
  } else {
    const MixEntry& m = w_.mix[p.mix];
    // The per-second plot sets these against the sum of per-second limits: daily quotas stay out.
    const bool per_second = a.cred->quota.window == QuotaWindow::Second;
    switch (m.kind) {
      case RequestKind::Api:
        if ((status >= 200 && status < 300) || (server_error && w_.faults.size())) {
          if (a.ledger) a.ledger->record(QuotaOutcome::Admitted, from, to);
          if (per_second) result.seconds[now_wall / 1000].admitted++;
          progress.admitted.fetch_add(1, std::memory_order_relaxed);
          if (server_error) error("status " + std::to_string(status), now_wall);
        } else if (status == 429) {
          if (a.ledger) a.ledger->record(QuotaOutcome::Refused, from, to);
          result.refusals++;
          if (per_second) result.seconds[now_wall / 1000].refused++;
          progress.refused.fetch_add(1, std::memory_order_relaxed);
          std::string bad = check_refusal(h, t_.refusal_rules);
          if (!bad.empty()) result.bad_refusals[bad]++;
        } else if (status == 401 && h.www_authenticate.find("invalid_token") != std::string::npos) {
          const uint16_t issuer = issuer_of(a, slot_of(p.node));
          if (issuer != p.node) {
            // A cluster's nodes accept each other's tokens; fetching anew from the issuer
            // would not help: a protocol finding, named after both nodes.
            error("status 401 invalid_token from " + node.label + " for a token issued by " +
                      nodes_[issuer].label + " (the nodes do not share tokens: not one cluster)",
                  now_wall);
            break;
          }
          // The token was refused (expired early, revoked): fetch a new one.
          result.renewals_on_401++;
          error("status 401 invalid_token", now_wall);
          if (c.token_fp == tok.token_fp) {
            tok.auth_header.clear();
            tok.expires_at = 0;
          }
          start_fetch(p.app, slot_of(p.node), now);
        } else {
          error("api call: status " + std::to_string(status), now_wall);
        }
        break;
      case RequestKind::UnknownPath:
        if (status != 404) error("unknown path: status " + std::to_string(status), now_wall);
        break;
      case RequestKind::MissingToken:
        if (status != t_.missing_token_status)
          error("missing token: status " + std::to_string(status), now_wall);
        else if (h.www_authenticate.empty())
          error("missing token: no WWW-Authenticate", now_wall);
        break;
      case RequestKind::Plain:
        if (status < 200 || status >= 300) error("status " + std::to_string(status), now_wall);
        break;
      case RequestKind::Token:
        break;
    }
  }
  if (!h.keep_alive) c.close();
}

void Worker::pump(Nanos now) {
  for (NodeQueue& q : queues_) pump_node(q, now);
}

void Worker::pump_node(NodeQueue& q, Nanos now) {
  // Round robin from where the last send stopped: every connection carries its share, so none
  // sits idle until the server's keep-alive timeout closes it under a request (a race that a
  // first-free choice provoked on the connections it seldom reached).
  size_t scanned = 0;  // since the last send: a full turn without one ends the pump
  while (!q.ready.empty() && scanned < q.conns.size()) {
    Conn& c = conns_[q.conns[q.next_conn]];
    q.next_conn = (q.next_conn + 1) % q.conns.size();
    ++scanned;
    if (c.busy) continue;
    if (c.fd < 0 && !connect(c, now)) continue;
    Pending p = q.ready.front();
    q.ready.pop_front();
    // A request that needs a token may have lost it meanwhile (401): park it again.
    if (!p.token_fetch && needs_token_[p.mix]) {
      AppState& a = apps_[p.app];
      const size_t slot = slot_of(p.node);
      if (a.tokens[slot].auth_header.empty()) {
        a.tokens[slot].waiting.push_back(p);
        parked_++;
        start_fetch(p.app, slot, now);
        continue;
      }
    }
    send_on(c, p, now);
    scanned = 0;
  }
}

void Worker::run(Nanos start_mono, Millis start_wall, Nanos drain_timeout) {
  start_mono_ = start_mono;
  start_wall_ = start_wall;
  end_mono_ = start_mono + w_.duration;
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
  for (auto& c : conns_) c.epfd = epfd_;
  const bool open = w_.model == LoadModel::Open;
  if (open) open_arrivals();
  // Connect everything up front: connection set-up is not part of the measured requests.
  Nanos now = mono_now();
  for (auto& c : conns_) connect(c, now);

  epoll_event events[256];
  bool draining = false;
  Nanos drain_deadline = 0;
  for (;;) {
    now = mono_now();
    if (open) {
      while (!arrivals_.empty() && start_mono_ + arrivals_.peek().at <= now) {
        auto a = arrivals_.pop();
        Pending p;
        p.intended = start_mono_ + a.at;
        p.app = static_cast<uint32_t>(a.stream);
        p.mix = static_cast<uint16_t>(picker_.next());
        result.scheduled++;
        result.seconds[wall_of(p.intended) / 1000].sent++;
        dispatch(p, now);
      }
    } else if (now < end_mono_ && !apps_.empty()) {
      while (outstanding() < conns_.size()) {
        Pending p;
        p.intended = now;
        p.app = closed_next_app_++ % static_cast<uint32_t>(apps_.size());
        p.mix = static_cast<uint16_t>(picker_.next());
        result.scheduled++;
        result.seconds[wall_of(now) / 1000].sent++;
        dispatch(p, now);
      }
    }
    pump(now);

    const bool schedule_done = open ? arrivals_.empty() : now >= end_mono_;
    if (schedule_done && !draining) {
      draining = true;
      drain_deadline = now + drain_timeout;
    }
    if (draining && (outstanding() == 0 || now >= drain_deadline)) break;

    // Sleep until the next arrival (precisely: epoll_pwait2 takes a timespec), or an event.
    timespec timeout{0, 0};
    Nanos wait = 0;
    if (open && !arrivals_.empty()) {
      wait = start_mono_ + arrivals_.peek().at - mono_now();
    } else if (!open && !schedule_done) {
      wait = outstanding() < conns_.size() ? 0 : 10000000;
    } else {
      wait = 10000000;
    }
    // With requests queued but every connection busy or failed, wake up to retry connects.
    bool queued = false;
    for (const auto& q : queues_) queued = queued || !q.ready.empty();
    if (queued && wait > 10000000) wait = 10000000;
    wait = std::clamp<Nanos>(wait, 0, 100000000);
    timeout.tv_sec = wait / 1000000000;
    timeout.tv_nsec = wait % 1000000000;
    int n = ::epoll_pwait2(epfd_, events, 256, &timeout, nullptr);
    for (int i = 0; i < n; ++i) {
      Conn& c = *static_cast<Conn*>(events[i].data.ptr);
      if (c.fd < 0) continue;
      if (events[i].events & EPOLLOUT) on_writable(c);
      if (c.fd >= 0 && (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) on_readable(c);
    }
  }
  // What is left: unanswered in flight, never sent (queued or parked).
  const Nanos end = mono_now();
  const Millis end_wall = wall_ms();
  for (auto& c : conns_) {
    if (c.busy) fail(c, "no answer before the end of the run");
  }
  auto unsent = [&](const Pending& p) {
    if (p.token_fetch) return;
    error("not sent before the end of the run (every connection busy)", end_wall);
    // Its latency is at least this long: recording it keeps the percentiles honest.
    result.latency.record(end - p.intended);
  };
  for (const auto& q : queues_)
    for (const Pending& p : q.ready) unsent(p);
  for (auto& a : apps_)
    for (const auto& tok : a.tokens)
      for (const Pending& p : tok.waiting) unsent(p);
  if (nodes_.size() > 1)
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (node_answers_[i]) result.answers_by_node[nodes_[i].label] += node_answers_[i];
}

}  // namespace pistesim::loadgen
