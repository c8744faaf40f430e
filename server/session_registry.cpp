#include "server/session_registry.h"

#include <vector>

#include "server/session.h"

namespace tessera::server {

bool SessionRegistry::add(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  if (is_stopping_ || sessions_.size() >= max_sessions_) return false;
  sessions_.emplace(session.get(), session);
  return true;
}

void SessionRegistry::remove(const Session* session) {
  std::function<void()> on_empty;
  {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
    if (is_stopping_ && sessions_.empty() && on_empty_) {
      on_empty = std::move(on_empty_);
      on_empty_ = nullptr;
    }
  }
  if (on_empty) on_empty();
}

size_t SessionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionRegistry::begin_stop(std::function<void()> on_empty) {
  std::vector<std::shared_ptr<Session>> live;
  bool is_empty = false;
  {
    std::lock_guard lock(mutex_);
    if (is_stopping_) return;
    is_stopping_ = true;
    for (auto& [key, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    is_empty = sessions_.empty();
    if (!is_empty) on_empty_ = std::move(on_empty);
  }
  if (is_empty) {
    on_empty();  // no sessions: nothing to wait for
    return;
  }
  for (auto& s : live) s->stop_reading();
}

void SessionRegistry::close_all() {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->close();
}

}  // namespace tessera::server
