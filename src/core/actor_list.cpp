#include "core/actor_list.h"

#include <utility>

namespace atr {

ActorList::ActorList(std::vector<Actor> actors) {
  blocks_.reserve((actors.size() + kBlockSize - 1) / kBlockSize);
  for (Actor& actor : actors) {
    push_back(std::move(actor));
  }
}

ActorList::Block& ActorList::own(std::size_t block) {
  std::shared_ptr<Block>& held = blocks_[block];
  // A count of one means no other list holds the block, and no other list can come to hold
  // it while this one, which is not yet published, is being built.
  if (held.use_count() > 1) held = std::make_shared<Block>(*held);
  return *held;
}

void ActorList::push_back(Actor actor) {
  if (size_ % kBlockSize == 0) {
    blocks_.push_back(std::make_shared<Block>());
    blocks_.back()->reserve(kBlockSize);
  }
  actor.position = size_;
  own(blocks_.size() - 1).push_back(std::move(actor));
  ++size_;
}

void ActorList::replace(std::size_t index, Actor actor) {
  actor.position = index;
  edit(index) = std::move(actor);
}

Actor& ActorList::edit(std::size_t index) {
  return own(index / kBlockSize)[index % kBlockSize];
}

}  // namespace atr
