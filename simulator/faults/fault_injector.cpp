#include "faults/fault_injector.h"

#include <algorithm>

namespace pistesim {

uint64_t FaultInjector::arm(Fault fault) {
  if (shared_) return shared_->arm(std::move(fault));
  std::lock_guard lock(mutex_);
  fault.id = next_id_++;
  faults_.push_back(std::move(fault));
  armed_.store(faults_.size(), std::memory_order_release);
  return faults_.back().id;
}

std::string_view to_string(FaultKind k) {
  switch (k) {
    case FaultKind::Respond:
      return "respond";
    case FaultKind::DropConnection:
      return "drop_connection";
    case FaultKind::ExpireToken:
      return "expire_token";
  }
  return "respond";
}

std::optional<FaultKind> fault_kind_from_string(std::string_view s) {
  for (FaultKind k : {FaultKind::Respond, FaultKind::DropConnection, FaultKind::ExpireToken})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

std::optional<Fault> FaultInjector::take(const std::string& api, const std::string& application,
                                         std::initializer_list<FaultKind> kinds) {
  // A cluster's count of armed faults is cached: nothing armed costs no round trip.
  if (shared_) return shared_->any() ? shared_->take(api, application, kinds) : std::nullopt;
  if (armed_.load(std::memory_order_acquire) == 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (std::find(kinds.begin(), kinds.end(), it->kind) == kinds.end()) continue;
    if ((!it->api.empty() && it->api != api) ||
        (!it->application.empty() && it->application != application))
      continue;
    if (it->after > 0) {  // this call passes this fault, which waits for a later one; a
      --it->after;        // fault armed behind it may still apply
      continue;
    }
    Fault taken = *it;
    if (it->remaining > 0 && --it->remaining == 0) faults_.erase(it);
    armed_.store(faults_.size(), std::memory_order_release);
    return taken;
  }
  return std::nullopt;
}

std::vector<Fault> FaultInjector::list() const {
  if (shared_) return shared_->list();
  std::lock_guard lock(mutex_);
  return faults_;
}

bool FaultInjector::disarm(uint64_t id) {
  if (shared_) return shared_->disarm(id);
  std::lock_guard lock(mutex_);
  size_t before = faults_.size();
  std::erase_if(faults_, [&](const Fault& f) { return f.id == id; });
  armed_.store(faults_.size(), std::memory_order_release);
  return faults_.size() != before;
}

void FaultInjector::clear() {
  if (shared_) return shared_->clear();
  std::lock_guard lock(mutex_);
  faults_.clear();
  armed_.store(0, std::memory_order_release);
}

}  // namespace pistesim
