#pragma once
// Server-Sent Events: the framing of the live event stream and the chunked provider that
// feeds one client from the EventHub.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "http/event_hub.h"

namespace httplib {
struct Response;
}

namespace atr {

/// Which events one stream wants, and where it starts.
struct StreamFilter {
  std::string actor_key;        ///< empty: every actor
  std::int64_t version_id = 0;  ///< 0: every version
  std::uint64_t cursor = 0;     ///< the last event id already seen
  bool reset = false;           ///< the client asked to resume from an event the ring lost
};

/// One event as SSE text ("id: …\nevent: …\ndata: …\n\n").
std::string sse_frame(const LiveEvent& event);

/// Streams `hub`'s events after `filter.cursor` to the response until the client leaves or the
/// hub closes, with a heartbeat comment when nothing was written for `heartbeat`. `clients`
/// counts open streams.
void stream_events(EventHub& hub, StreamFilter filter, std::chrono::milliseconds heartbeat,
                   std::atomic<int>& clients, httplib::Response& res);

}  // namespace atr
