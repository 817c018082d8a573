// Load on both listeners of a running `serve`, as an attacker or a busy studio would put it:
//
//   connects  N clients connect to the API at once and each asks GET /api/health; how long
//             until every connection was established and until every one was answered.
//   slow      N connections to the webhook port send half a request header and then one
//             byte a second; meanwhile a valid webhook is POSTed every 250 ms, and its delay
//             is measured (and how many of the slow connections the server closed).
//   streams   N event streams (GET /api/events) open, with a connect deadline; then tunnel
//             start/stop cycles publish 3 events each while GET /api/actors is timed on a
//             kept-alive connection; with a separate receive deadline, every stream must get
//             every event, in the same order.
//
// The clients are one epoll loop (plus one thread for the control and probe requests), so
// the client side never needs a thread per connection.
//
//   listener_load --api-port P --webhook-port W --token T [--slow 500] [--slow-seconds 10]
//                 [--streams 2000] [--cycles 5] [--connects 1000] [--pid PID] [--api-p99-ms 50]
// --pid also checks the server's threads at idle (<= 32). --webhook-port and --token are needed
// only with --slow. Exits 1 when a target is missed: connects answered > 1 s, webhook delay >= 1 s,
// API p99
// >= 50 ms, a stream without every event, or a connection that could not be made.

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::duration<double, std::milli>;

struct Args {
  int api_port = 0;
  int webhook_port = 0;
  std::string token;
  int slow = 500;
  int slow_seconds = 10;
  int streams = 2000;
  int cycles = 5;
  int connects = 1000;
  int pid = 0;
  int api_p99_ms = 50;  ///< 0: report the API's latency, do not judge it
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto at = static_cast<std::size_t>(std::lround(p * static_cast<double>(v.size() - 1)));
  return v[std::min(at, v.size() - 1)];
}

int threads_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Threads:")) return std::stoi(line.substr(8));
  }
  return -1;
}

// A non-blocking socket with its connect to 127.0.0.1:port begun; -1 when the socket fails.
int begin_connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// One client connection in the epoll loop.
struct Conn {
  int fd = -1;
  bool connected = false;
  bool closed = false;
  std::optional<Clock::time_point> connected_at;
  std::optional<Clock::time_point> answered_at;
  std::string request;  ///< sent once connected
  std::string received;
  std::vector<std::uint64_t> ids;  ///< event ids seen, for streams
  std::size_t scanned = 0;
};

// Runs the epoll loop over `conns` until `done()` or `deadline`; `on_data` sees new bytes.
template <typename Done, typename OnData>
void pump(std::vector<Conn>& conns, Clock::time_point deadline, Done done, OnData on_data) {
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  for (std::size_t i = 0; i < conns.size(); ++i) {
    if (conns[i].fd < 0 || conns[i].closed) continue;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (conns[i].connected ? 0U : static_cast<unsigned>(EPOLLOUT));
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
  }
  std::array<epoll_event, 256> events{};
  std::array<char, 65536> buffer{};
  while (!done() && Clock::now() < deadline) {
    const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 20);
    for (int e = 0; e < n; ++e) {
      const epoll_event& got = events[static_cast<std::size_t>(e)];
      Conn& c = conns[got.data.u64];
      if (!c.connected && (got.events & EPOLLOUT)) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          c.closed = true;
          ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
          continue;
        }
        c.connected = true;
        c.connected_at = Clock::now();
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = got.data.u64;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        if (!c.request.empty() && !send_all(c.fd, c.request)) c.closed = true;
      }
      if (got.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        for (;;) {
          const ssize_t read = ::recv(c.fd, buffer.data(), buffer.size(), 0);
          if (read > 0) {
            if (!c.answered_at) c.answered_at = Clock::now();
            c.received.append(buffer.data(), static_cast<std::size_t>(read));
            on_data(c);
            continue;
          }
          if (read == 0 || (errno != EAGAIN && errno != EINTR)) {
            c.closed = true;
            ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
          }
          break;
        }
      }
    }
  }
  ::close(ep);
}

void close_all(std::vector<Conn>& conns) {
  for (Conn& c : conns) {
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
  }
}

std::string host_header(int port) {
  return "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
}

// ---- connects --------------------------------------------------------------------------------

bool run_connects(const Args& a) {
  std::vector<Conn> conns(static_cast<std::size_t>(a.connects));
  const std::string request =
      "GET /api/health HTTP/1.1\r\n" + host_header(a.api_port) + "Connection: close\r\n\r\n";
  const auto began = Clock::now();
  int failed_to_start = 0;
  for (Conn& c : conns) {
    c.fd = begin_connect(a.api_port);
    c.request = request;
    if (c.fd < 0) ++failed_to_start;
  }
  auto all_answered = [&] {
    return std::all_of(conns.begin(), conns.end(),
                       [](const Conn& c) { return c.fd < 0 || c.closed || c.answered_at; });
  };
  pump(conns, began + std::chrono::seconds(15), all_answered, [](Conn&) {});
  int connected = 0;
  int answered = 0;
  double last_connect = 0;
  double last_answer = 0;
  for (const Conn& c : conns) {
    if (c.connected_at) {
      ++connected;
      last_connect = std::max(last_connect, Ms(*c.connected_at - began).count());
    }
    if (c.answered_at && c.received.starts_with("HTTP/1.1 ")) {
      ++answered;
      last_answer = std::max(last_answer, Ms(*c.answered_at - began).count());
    }
  }
  close_all(conns);
  std::cout << "connects: " << connected << " of " << a.connects << " connected, last after "
            << last_connect << " ms; " << answered << " answered, last after " << last_answer
            << " ms (" << failed_to_start << " sockets could not be made)\n";
  return answered == a.connects && last_answer < 1000;
}

// ---- slow headers on the webhook port --------------------------------------------------------

// One valid webhook on a fresh connection; its round trip in ms, or nullopt on failure.
std::optional<double> one_webhook(const Args& a, int n) {
  httplib::Client client("127.0.0.1", a.webhook_port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  const std::string body =
      R"({"id":"load-)" + std::to_string(n) + R"(-u1","status":"IN_PROGRESS"})";
  const auto began = Clock::now();
  auto answer = client.Post(("/api/training-webhook/" + a.token).c_str(), body, "application/json");
  if (!answer || answer->status != 200) return std::nullopt;
  return Ms(Clock::now() - began).count();
}

bool run_slow(const Args& a) {
  std::vector<double> baseline;
  for (int i = 0; i < 10; ++i) {
    if (auto ms = one_webhook(a, i)) baseline.push_back(*ms);
  }
  std::vector<Conn> conns(static_cast<std::size_t>(a.slow));
  const std::string head =
      "POST /api/training-webhook/" + a.token + " HTTP/1.1\r\n" + host_header(a.webhook_port);
  for (Conn& c : conns) {
    c.fd = begin_connect(a.webhook_port);
    c.request = head;
  }
  std::atomic<bool> stop{false};
  std::vector<double> delays;
  int failures = 0;
  std::thread prober([&] {
    int n = 100;
    while (!stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      if (auto ms = one_webhook(a, ++n)) {
        delays.push_back(*ms);
      } else {
        ++failures;
      }
    }
  });
  const auto began = Clock::now();
  const auto end = began + std::chrono::seconds(a.slow_seconds);
  auto next_byte = began + std::chrono::seconds(1);
  while (Clock::now() < end) {
    pump(
        conns, std::min(next_byte, end), [] { return false; }, [](Conn&) {});
    for (Conn& c : conns) {
      if (c.connected && !c.closed && !send_all(c.fd, "X")) c.closed = true;
    }
    next_byte += std::chrono::seconds(1);
  }
  stop = true;
  prober.join();
  const auto open = std::count_if(conns.begin(), conns.end(),
                                  [](const Conn& c) { return c.connected && !c.closed; });
  const auto made =
      std::count_if(conns.begin(), conns.end(), [](const Conn& c) { return c.connected_at; });
  close_all(conns);
  const double worst = delays.empty() ? 0 : *std::max_element(delays.begin(), delays.end());
  std::cout << "slow: " << made << " of " << a.slow << " slow-header connections made, " << open
            << " still open after " << a.slow_seconds << " s; valid webhook: baseline median "
            << percentile(baseline, 0.5) << " ms, under load median " << percentile(delays, 0.5)
            << " ms, max " << worst << " ms over " << delays.size() << " webhooks (" << failures
            << " failed)\n";
  return made == a.slow && failures == 0 && !delays.empty() && worst < 1000;
}

// ---- event streams ---------------------------------------------------------------------------

void scan_ids(Conn& c) {
  // "id: N" at the start of a line; the scan resumes where it stopped (a line may be split).
  for (;;) {
    const std::size_t at = c.received.find("\nid: ", c.scanned);
    if (at == std::string::npos) break;
    const std::size_t eol = c.received.find('\n', at + 5);
    if (eol == std::string::npos) break;
    c.ids.push_back(std::stoull(c.received.substr(at + 5, eol - at - 5)));
    c.scanned = eol;
  }
  if (c.scanned > 4096) {
    c.received.erase(0, c.scanned);
    c.scanned = 0;
  }
}

bool run_streams(const Args& a) {
  std::vector<Conn> conns(static_cast<std::size_t>(a.streams));
  const std::string request = "GET /api/events HTTP/1.1\r\n" + host_header(a.api_port) +
                              "Accept: text/event-stream\r\n\r\n";
  for (Conn& c : conns) {
    c.fd = begin_connect(a.api_port);
    c.request = request;
  }
  // Connect deadline: every stream has its ": connected" comment.
  auto has_hello = [](const Conn& c) {
    return c.received.find(": connected") != std::string::npos;
  };
  const auto began = Clock::now();
  pump(
      conns, began + std::chrono::seconds(20),
      [&] { return std::all_of(conns.begin(), conns.end(), has_hello); }, [](Conn&) {});
  const auto ready = std::count_if(conns.begin(), conns.end(), has_hello);
  std::cout << "streams: " << ready << " of " << a.streams << " open after "
            << Ms(Clock::now() - began).count() << " ms\n";
  for (Conn& c : conns) {
    c.scanned = 0;
  }

  const int expected = a.cycles * 3;  // starting, running, off
  std::atomic<bool> publishing_done{false};
  std::vector<double> api_ms;
  int control_failures = 0;
  int probe_failures = 0;
  Clock::time_point last_published;
  std::thread control([&] {
    // Bounded: a server that stops answering costs at most the read timeouts below.
    const auto control_deadline = Clock::now() + std::chrono::seconds(30);
    httplib::Client probe("127.0.0.1", a.api_port);
    probe.set_keep_alive(true);
    probe.set_connection_timeout(2, 0);
    probe.set_read_timeout(2, 0);
    httplib::Client publisher("127.0.0.1", a.api_port);
    publisher.set_connection_timeout(2, 0);
    publisher.set_read_timeout(5, 0);
    const httplib::Headers headers = {{"X-Actor-Trainer", "1"}};
    int page = 0;
    auto time_list = [&] {
      for (int i = 0; i < 20 && Clock::now() < control_deadline; ++i) {
        // A different query each time, so the server's answer cache cannot serve it.
        const std::string path = "/api/actors?limit=50&offset=" + std::to_string(page++);
        const auto t0 = Clock::now();
        auto r = probe.Get(path);
        if (!r || r->status != 200) ++probe_failures;
        api_ms.push_back(Ms(Clock::now() - t0).count());
      }
    };
    time_list();
    int cycles_done = 0;
    for (int i = 0; i < a.cycles && Clock::now() < control_deadline; ++i, ++cycles_done) {
      auto started = publisher.Post("/api/tunnel/start", headers, "", "application/json");
      time_list();
      auto stopped = publisher.Post("/api/tunnel/stop", headers, "", "application/json");
      if (!started || started->status != 200 || !stopped || stopped->status != 200) {
        ++control_failures;
      }
      time_list();
    }
    control_failures += a.cycles - cycles_done;  // cycles the deadline left out
    last_published = Clock::now();
    publishing_done = true;
  });
  auto complete = [&](const Conn& c) { return static_cast<int>(c.ids.size()) >= expected; };
  // Receive deadline: counted from the end of publishing, separately from the connects.
  std::optional<Clock::time_point> receive_deadline;
  for (;;) {
    if (publishing_done && !receive_deadline) {
      receive_deadline = Clock::now() + std::chrono::seconds(10);
    }
    const bool all = std::all_of(conns.begin(), conns.end(), complete);
    if (receive_deadline && (all || Clock::now() >= *receive_deadline)) break;
    pump(
        conns, Clock::now() + std::chrono::milliseconds(200), [] { return false; }, scan_ids);
  }
  control.join();
  const auto received_by = Clock::now();
  const std::vector<std::uint64_t>& reference = conns.front().ids;
  const auto got_all = std::count_if(conns.begin(), conns.end(), complete);
  const auto identical = std::count_if(conns.begin(), conns.end(), [&](const Conn& c) {
    return !reference.empty() && c.ids == reference;
  });
  close_all(conns);
  const double p99 = percentile(api_ms, 0.99);
  std::cout
      << "streams: " << got_all << " of " << a.streams << " got all " << expected << " events ("
      << identical << " the identical sequence), all within "
      << Ms(received_by - last_published).count() << " ms of the last publish (" << control_failures
      << " failed control requests)\n"
      << "streams: GET /api/actors?limit=50&offset=N (N distinct) with the streams open: median "
      << percentile(api_ms, 0.5) << " ms, p99 " << p99 << " ms over " << api_ms.size()
      << " requests (" << probe_failures << " failed)\n";
  return ready == a.streams && got_all == a.streams && identical == a.streams &&
         control_failures == 0 && probe_failures == 0 && (a.api_p99_ms == 0 || p99 < a.api_p99_ms);
}

int run(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--api-port") a.api_port = std::stoi(value);
    if (flag == "--webhook-port") a.webhook_port = std::stoi(value);
    if (flag == "--token") a.token = value;
    if (flag == "--slow") a.slow = std::stoi(value);
    if (flag == "--slow-seconds") a.slow_seconds = std::stoi(value);
    if (flag == "--streams") a.streams = std::stoi(value);
    if (flag == "--cycles") a.cycles = std::stoi(value);
    if (flag == "--connects") a.connects = std::stoi(value);
    if (flag == "--pid") a.pid = std::stoi(value);
    if (flag == "--api-p99-ms") a.api_p99_ms = std::stoi(value);
  }
  if (a.api_port <= 0 || (a.slow > 0 && (a.webhook_port <= 0 || a.token.empty()))) {
    std::cerr
        << "usage: listener_load --api-port P --webhook-port W --token T [--slow 500]\n"
           "       [--slow-seconds 10] [--streams 2000] [--cycles 5] [--connects 1000]\n"
           "       [--pid PID] [--api-p99-ms 50]  (0 skips a part; --api-p99-ms 0: not judged)\n";
    return 2;
  }
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  std::cout << std::unitbuf;
  bool ok = true;
  if (a.pid > 0) {
    const int idle = threads_of(a.pid);
    std::cout << "threads at idle: " << idle << " (target <= 32)\n";
    ok = idle > 0 && idle <= 32;
  }
  if (a.connects > 0) ok = run_connects(a) && ok;
  if (a.slow > 0) ok = run_slow(a) && ok;
  if (a.streams > 0) ok = run_streams(a) && ok;
  if (a.pid > 0) {
    // A stream's thread notices its client left at the next heartbeat (15 s at most).
    const auto began = Clock::now();
    std::cout << "threads right after the load: " << threads_of(a.pid) << "\n";
    while (threads_of(a.pid) > 32 && Clock::now() - began < std::chrono::seconds(30)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::cout << "threads " << Ms(Clock::now() - began).count() / 1000
              << " s later: " << threads_of(a.pid) << "\n";
  }
  std::cout << (ok ? "listener_load: every target met\n" : "listener_load: a target was missed\n");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "listener_load: " << e.what() << "\n";
  }
  return 1;
}
