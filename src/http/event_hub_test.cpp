#include "http/event_hub.h"

#include <thread>

#include <gtest/gtest.h>

namespace atr {
namespace {

using namespace std::chrono_literals;

TEST(EventHubTest, ReadersGetEventsAfterTheirCursorInOrder) {
  EventHub hub(8);
  const std::uint64_t start = hub.last_id();
  const std::uint64_t a = hub.publish("version", "6", 1, "{\"a\":1}");
  const std::uint64_t b = hub.publish("log", "6", 1, "{\"b\":2}");
  EXPECT_EQ(b, a + 1);
  EventHub::Batch all = hub.wait_after(start, 0ms);
  ASSERT_EQ(all.events.size(), 2u);
  EXPECT_EQ(all.events[0]->id, a);
  EXPECT_EQ(all.events[1]->type, "log");
  EXPECT_FALSE(all.gap);
  EventHub::Batch rest = hub.wait_after(a, 0ms);
  ASSERT_EQ(rest.events.size(), 1u);
  EXPECT_EQ(rest.events[0]->id, b);
  EXPECT_TRUE(hub.wait_after(b, 10ms).events.empty());
}

TEST(EventHubTest, AReaderTooFarBehindIsToldOfTheGap) {
  EventHub hub(4);
  const std::uint64_t start = hub.last_id();
  for (int i = 0; i < 10; ++i) {
    hub.publish("log", "", 0, std::to_string(i));
  }
  EXPECT_FALSE(hub.can_resume_after(start));
  EventHub::Batch batch = hub.wait_after(start, 0ms);
  EXPECT_TRUE(batch.gap);
  ASSERT_EQ(batch.events.size(), 4u);
  EXPECT_EQ(batch.events.front()->data, "6");
  EXPECT_TRUE(hub.can_resume_after(hub.last_id() - 2));
  EXPECT_FALSE(hub.can_resume_after(12));                 // an id from another run
  EXPECT_FALSE(hub.can_resume_after(hub.last_id() + 5));  // from the future
}

TEST(EventHubTest, PublishWakesAWaitingReaderAndCloseEndsIt) {
  EventHub hub;
  const std::uint64_t start = hub.last_id();
  std::thread writer([&] {
    std::this_thread::sleep_for(20ms);
    hub.publish("tunnel", "", 0, "{}");
  });
  EventHub::Batch batch = hub.wait_after(start, 5s);
  writer.join();
  ASSERT_EQ(batch.events.size(), 1u);
  hub.close();
  EXPECT_TRUE(hub.wait_after(hub.last_id(), 5s).closed);
}

}  // namespace
}  // namespace atr
