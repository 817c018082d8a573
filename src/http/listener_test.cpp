#include "http/listener.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "support/process.h"

namespace atr {
namespace {

// What the kernel grants for kBacklog: listen(2) is capped at net.core.somaxconn.
int granted_backlog() {
  int somaxconn = 4096;
  std::ifstream("/proc/sys/net/core/somaxconn") >> somaxconn;
  return std::min(ListenerSocket::kBacklog, somaxconn);
}

// The library alone listens with its compiled-in backlog of 5 and a shareable port: the two
// faults the listener socket is there to remove (if the library changes, this says so).
TEST(ListenerSocketTest, TheLibraryAloneListensShallowAndShared) {
  httplib::Server server;
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  EXPECT_EQ(testing::listen_backlog(port), 5);
  EXPECT_TRUE(testing::port_can_be_shared(port));
}

TEST(ListenerSocketTest, DeepensTheBacklogAndKeepsThePortItsOwn) {
  httplib::Server server;
  const ListenerSocket listener(server);
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  ASSERT_TRUE(listener.deepen_backlog());
  EXPECT_EQ(testing::listen_backlog(port), granted_backlog());
  EXPECT_FALSE(testing::port_can_be_shared(port));

  // Still serves after the second listen.
  server.Get("/ping", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("pong", "text/plain");
  });
  // The connect waits in the accept queue until the loop runs, and the answer comes from the
  // running loop, so stop() below finds it running.
  std::thread loop([&] { server.listen_after_bind(); });
  httplib::Client client("127.0.0.1", port);
  const auto answer = client.Get("/ping");
  server.stop();
  loop.join();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->body, "pong");
}

TEST(ListenerSocketTest, RefusesWhenNothingWasBound) {
  httplib::Server server;
  const ListenerSocket listener(server);
  const Status status = listener.deepen_backlog();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::Unavailable);
}

int threads_of_this_process() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Threads:")) return std::stoi(line.substr(8));
  }
  return -1;
}

// No thread is kept at rest: the library's own pool starts all of its threads at once, this
// queue none until a connection comes. (Threads of earlier tests may still be ending, so the
// count may fall; it must not grow.)
TEST(ConnectionThreadsTest, StartsNoThreadUntilAConnectionComes) {
  const int before = threads_of_this_process();
  {
    httplib::ThreadPool pool(16);
    EXPECT_GE(threads_of_this_process(), before + 16);  // what the library alone does
    pool.shutdown();
  }
  const int base = threads_of_this_process();
  ConnectionThreads threads(4096);
  EXPECT_LE(threads_of_this_process(), base);
  std::atomic<int> done{0};
  for (int i = 0; i < 50; ++i) {
    threads.enqueue([&] { done.fetch_add(1); });
  }
  threads.shutdown();
  EXPECT_EQ(done.load(), 50);
  EXPECT_EQ(threads.running(), 0U);
}

}  // namespace
}  // namespace atr
