#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace atr {

/// One live event as the SSE stream sends it.
struct LiveEvent {
  std::uint64_t id = 0;
  std::string type;             ///< "version", "log", "sync", "tunnel"
  std::string actor_id;         ///< empty: not about one actor
  std::int64_t version_id = 0;  ///< 0: not about one version
  std::string data;             ///< one line of JSON
};

/// The live events of one `serve`: publishers append, each SSE client reads from its own
/// cursor. Publishing never waits for a reader; a reader that falls more than `capacity`
/// events behind is told so (`gap`) and must reload. Ids grow across restarts (they start at
/// the start time in microseconds), so an id from an earlier run is recognised as a gap too.
class EventHub {
 public:
  explicit EventHub(std::size_t capacity = 4096);

  /// Appends an event and wakes the readers; returns its id.
  std::uint64_t publish(std::string type, std::string actor_id, std::int64_t version_id,
                        std::string data);

  /// What a reader gets: the events after its cursor, oldest first.
  struct Batch {
    std::vector<std::shared_ptr<const LiveEvent>> events;
    bool gap = false;     ///< events after the cursor were dropped (or the id is unknown)
    bool closed = false;  ///< the hub is shutting down; end the stream
  };
  /// Waits up to `timeout` for events after `after` (at most `max` of them).
  [[nodiscard]] Batch wait_after(std::uint64_t after, std::chrono::milliseconds timeout,
                                 std::size_t max = 256) const;

  /// True when a stream that last saw `id` can resume without missing an event: the id is
  /// from this run and no later event was dropped.
  [[nodiscard]] bool can_resume_after(std::uint64_t id) const;
  /// The id of the newest event (or the id before the first one).
  [[nodiscard]] std::uint64_t last_id() const;
  /// Ends every stream.
  void close();

 private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<std::shared_ptr<const LiveEvent>> events_;
  std::uint64_t first_id_ = 0;  ///< the id the first event of this run gets
  std::uint64_t next_id_ = 0;
  bool closed_ = false;
};

}  // namespace atr
