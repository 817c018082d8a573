// Fan-out check for the live-event stream: opens K SSE clients on a running `serve`, makes
// the server publish events (ngrok tunnel start/stop cycles, with the ngrok stand-in on the
// server's PATH), and reports whether every client received every event, in order, and how
// long the last client took to get the last event.
// Usage: sse_clients --port P [--clients 200] [--cycles 20] [--timeout 60]

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Stream {
  std::vector<std::uint64_t> ids;
  std::mutex mutex;
  Clock::time_point last_at;
};

std::vector<std::uint64_t> parse_ids(const std::string& text) {
  std::vector<std::uint64_t> out;
  std::size_t at = 0;
  while ((at = text.find("\nid: ", at)) != std::string::npos) {
    out.push_back(std::stoull(text.substr(at + 5)));
    at += 5;
  }
  return out;
}

int run(int argc, char** argv) {
  int port = 0;
  int clients = 200;
  int cycles = 20;
  int timeout_s = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::stoi(argv[i + 1]);
    if (flag == "--port") port = value;
    if (flag == "--clients") clients = value;
    if (flag == "--cycles") cycles = value;
    if (flag == "--timeout") timeout_s = value;
  }
  if (port <= 0) {
    std::cerr << "usage: sse_clients --port P [--clients 200] [--cycles 20] [--timeout 60]\n";
    return 2;
  }
  const int expected = cycles * 3;  // starting, running, off
  std::vector<std::unique_ptr<Stream>> streams;
  std::vector<std::thread> readers;
  std::atomic<int> connected{0};
  std::atomic<bool> stop{false};
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  for (int c = 0; c < clients; ++c) {
    streams.push_back(std::make_unique<Stream>());
    Stream* s = streams.back().get();
    readers.emplace_back([&, s] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(timeout_s, 0);
      std::string text = "\n";
      bool counted = false;
      client.Get("/api/events", [&](const char* data, size_t n) {
        if (!counted) {
          counted = true;
          connected.fetch_add(1);
        }
        text.append(data, n);
        std::vector<std::uint64_t> ids = parse_ids(text);
        {
          std::lock_guard lock(s->mutex);
          if (ids.size() != s->ids.size()) s->last_at = Clock::now();
          s->ids = std::move(ids);
        }
        return !stop.load() && Clock::now() < deadline &&
               static_cast<int>(s->ids.size()) < expected;
      });
    });
  }
  while (connected.load() < clients && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::cout << "connected: " << connected.load() << " of " << clients << " SSE clients\n";

  httplib::Client control("127.0.0.1", port);
  control.set_read_timeout(30, 0);
  const httplib::Headers headers = {{"X-Actor-Trainer", "1"}};
  const auto began = Clock::now();
  Clock::time_point last_published;
  int failures = 0;
  for (int i = 0; i < cycles; ++i) {
    auto started = control.Post("/api/tunnel/start", headers, "", "application/json");
    auto stopped = control.Post("/api/tunnel/stop", headers, "", "application/json");
    if (!started || started->status != 200 || !stopped || stopped->status != 200) ++failures;
    last_published = Clock::now();
  }
  for (auto& t : readers) {
    t.join();
  }
  stop = true;

  const std::vector<std::uint64_t>& reference = streams.front()->ids;
  int complete = 0;
  int identical = 0;
  std::size_t fewest = reference.size();
  Clock::time_point last_delivery = last_published;
  for (const auto& s : streams) {
    fewest = std::min(fewest, s->ids.size());
    if (static_cast<int>(s->ids.size()) >= expected) ++complete;
    if (s->ids == reference) ++identical;
    last_delivery = std::max(last_delivery, s->last_at);
  }
  bool consecutive = !reference.empty();
  for (std::size_t i = 1; i < reference.size(); ++i) {
    consecutive = consecutive && reference[i] == reference[i - 1] + 1;
  }
  const auto ms = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  std::cout << "published: " << expected << " events in " << ms(last_published - began) << " ms ("
            << failures << " failed control requests)\n"
            << "received: " << complete << " of " << clients << " clients got all " << expected
            << " events; fewest " << fewest << "; " << identical
            << " clients saw the identical id sequence; ids consecutive: "
            << (consecutive ? "yes" : "no") << "\n"
            << "last delivery: " << ms(last_delivery - last_published)
            << " ms after the last publish\n";
  return complete == clients && identical == clients && consecutive && failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "sse_clients: " << e.what() << "\n";
  }
  return 1;
}
