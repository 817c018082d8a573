#include "http/event_hub.h"

namespace atr {

EventHub::EventHub(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  first_id_ = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(now).count());
  next_id_ = first_id_;
}

std::uint64_t EventHub::publish(std::string type, std::string actor_id, std::int64_t version_id,
                                std::string data) {
  auto event = std::make_shared<LiveEvent>();
  event->type = std::move(type);
  event->actor_id = std::move(actor_id);
  event->version_id = version_id;
  event->data = std::move(data);
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    event->id = id;
    events_.push_back(std::move(event));
    if (events_.size() > capacity_) events_.pop_front();
  }
  changed_.notify_all();
  return id;
}

EventHub::Batch EventHub::wait_after(std::uint64_t after, std::chrono::milliseconds timeout,
                                     std::size_t max) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return closed_ || next_id_ > after + 1; });
  Batch batch;
  batch.closed = closed_;
  if (next_id_ <= after + 1) return batch;
  const std::uint64_t oldest = events_.empty() ? next_id_ : events_.front()->id;
  std::uint64_t from = after + 1;
  // A cursor from before the oldest kept event, or from another run, missed events.
  if (from < oldest || after + 1 < first_id_) {
    batch.gap = true;
    from = oldest;
  }
  for (std::size_t i = from - oldest; i < events_.size() && batch.events.size() < max; ++i) {
    batch.events.push_back(events_[i]);
  }
  return batch;
}

bool EventHub::can_resume_after(std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  const std::uint64_t oldest = events_.empty() ? next_id_ : events_.front()->id;
  return id + 1 >= oldest && id + 1 >= first_id_ && id < next_id_;
}

std::uint64_t EventHub::last_id() const {
  std::lock_guard lock(mutex_);
  return next_id_ - 1;
}

void EventHub::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

}  // namespace atr
