#include "core/actor_list.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace atr {
namespace {

ActorList numbered(std::size_t count) {
  ActorList list;
  for (std::size_t i = 0; i < count; ++i) {
    Actor actor;
    actor.id = std::to_string(i);
    actor.position = 999;  // replaced by the index
    list.push_back(std::move(actor));
  }
  return list;
}

TEST(ActorListTest, HoldsActorsInOrderWithTheirIndexAsPosition) {
  const ActorList list = numbered(3 * ActorList::kBlockSize + 5);
  ASSERT_EQ(list.size(), 3 * ActorList::kBlockSize + 5);
  std::size_t expected = 0;
  for (const Actor& actor : list) {
    EXPECT_EQ(actor.position, expected);
    EXPECT_EQ(actor.id, std::to_string(expected));
    ++expected;
  }
  EXPECT_EQ(expected, list.size());
  EXPECT_EQ(list.back().id, std::to_string(list.size() - 1));
  auto found = std::find_if(list.begin(), list.end(), [](const Actor& a) { return a.id == "300"; });
  EXPECT_EQ(found - list.begin(), 300);
}

TEST(ActorListTest, AReplaceInACopyCopiesOneBlockAndLeavesTheOriginalAsItWas) {
  const ActorList original = numbered(2 * ActorList::kBlockSize);
  ActorList copy = original;
  Actor changed;
  changed.id = "changed";
  copy.replace(ActorList::kBlockSize + 1, changed);
  EXPECT_EQ(copy[ActorList::kBlockSize + 1].id, "changed");
  EXPECT_EQ(copy[ActorList::kBlockSize + 1].position, ActorList::kBlockSize + 1);
  EXPECT_EQ(original[ActorList::kBlockSize + 1].id, std::to_string(ActorList::kBlockSize + 1));
  // The untouched block is shared (the same objects), the touched one is not.
  EXPECT_EQ(&copy[0], &original[0]);
  EXPECT_NE(&copy[ActorList::kBlockSize], &original[ActorList::kBlockSize]);
}

TEST(ActorListTest, AppendingToACopyCopiesTheSharedLastBlockFirst) {
  const ActorList partial = numbered(10);
  ActorList longer = partial;
  longer.push_back(Actor{});
  EXPECT_EQ(partial.size(), 10u);
  EXPECT_EQ(longer.size(), 11u);
  EXPECT_EQ(longer[10].position, 10u);
  EXPECT_NE(&longer[0], &partial[0]);  // the block readers of `partial` hold was not grown
}

}  // namespace
}  // namespace atr
