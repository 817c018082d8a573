#include "http/sse.h"

#include <memory>

#include <httplib.h>

namespace atr {
namespace {

constexpr const char* kReset =
    "event: reset\ndata: {\"reason\":\"events were missed; reload the state\"}\n\n";

}  // namespace

std::string sse_frame(const LiveEvent& event) {
  return "id: " + std::to_string(event.id) + "\nevent: " + event.type + "\ndata: " + event.data +
         "\n\n";
}

void stream_events(EventHub& hub, StreamFilter filter, std::chrono::milliseconds heartbeat,
                   std::atomic<int>& clients, httplib::Response& res) {
  struct Stream {
    StreamFilter filter;
    bool started = false;
    std::chrono::steady_clock::time_point last_write;
  };
  auto stream = std::make_shared<Stream>();
  stream->filter = std::move(filter);
  clients.fetch_add(1);
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [&hub, stream, heartbeat](size_t /*offset*/, httplib::DataSink& sink) {
        std::string out;
        if (!stream->started) {
          stream->started = true;
          out = "retry: 2000\n: connected\n\n";
          if (stream->filter.reset) out += kReset;
        } else {
          EventHub::Batch batch = hub.wait_after(stream->filter.cursor, heartbeat);
          if (batch.closed && batch.events.empty()) {
            sink.done();
            return true;
          }
          if (batch.gap) out += kReset;
          for (const auto& e : batch.events) {
            stream->filter.cursor = e->id;
            if (!stream->filter.actor_key.empty() && e->actor_id != stream->filter.actor_key) {
              continue;
            }
            if (stream->filter.version_id != 0 && e->version_id != stream->filter.version_id) {
              continue;
            }
            out += sse_frame(*e);
          }
          if (out.empty()) {
            if (std::chrono::steady_clock::now() - stream->last_write < heartbeat) return true;
            out = ": heartbeat\n\n";
          }
        }
        stream->last_write = std::chrono::steady_clock::now();
        return sink.write(out.data(), out.size());
      },
      [&clients](bool /*success*/) { clients.fetch_sub(1); });
}

}  // namespace atr
