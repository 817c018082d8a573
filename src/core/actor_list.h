#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <vector>

#include "core/actor.h"

namespace atr {

/// The actors of a registry snapshot in file order, kept in blocks that copies share: a copy
/// costs one pointer per block, and replacing an actor in it copies that actor's block only.
/// So the registry's next snapshot after an edit of a few actors costs those actors' blocks,
/// not a second copy of 100,000 actors. Each actor's `position` is its index, set on insert.
/// A list is built by one thread; once published (const) it is read by many.
class ActorList {
 public:
  static constexpr std::size_t kBlockSize = 256;

  class ConstIterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = Actor;
    using difference_type = std::ptrdiff_t;
    using pointer = const Actor*;
    using reference = const Actor&;

    ConstIterator() = default;
    ConstIterator(const ActorList* list, std::size_t index) : list_(list), index_(index) {}

    reference operator*() const { return (*list_)[index_]; }
    pointer operator->() const { return &(*list_)[index_]; }
    reference operator[](difference_type n) const { return *(*this + n); }
    ConstIterator& operator++() {
      ++index_;
      return *this;
    }
    ConstIterator operator++(int) {
      ConstIterator was = *this;
      ++index_;
      return was;
    }
    ConstIterator& operator--() {
      --index_;
      return *this;
    }
    ConstIterator operator--(int) {
      ConstIterator was = *this;
      --index_;
      return was;
    }
    ConstIterator& operator+=(difference_type n) {
      index_ = static_cast<std::size_t>(static_cast<difference_type>(index_) + n);
      return *this;
    }
    ConstIterator& operator-=(difference_type n) { return *this += -n; }
    friend ConstIterator operator+(ConstIterator it, difference_type n) { return it += n; }
    friend ConstIterator operator+(difference_type n, ConstIterator it) { return it += n; }
    friend ConstIterator operator-(ConstIterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const ConstIterator& a, const ConstIterator& b) {
      return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
    }
    friend bool operator==(const ConstIterator& a, const ConstIterator& b) {
      return a.index_ == b.index_;
    }
    friend auto operator<=>(const ConstIterator& a, const ConstIterator& b) {
      return a.index_ <=> b.index_;
    }

   private:
    const ActorList* list_ = nullptr;
    std::size_t index_ = 0;
  };

  ActorList() = default;
  /// Takes `actors` in order; their positions become their indices.
  explicit ActorList(std::vector<Actor> actors);

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] const Actor& operator[](std::size_t index) const {
    return (*blocks_[index / kBlockSize])[index % kBlockSize];
  }
  [[nodiscard]] const Actor& front() const { return (*this)[0]; }
  [[nodiscard]] const Actor& back() const { return (*this)[size_ - 1]; }
  [[nodiscard]] ConstIterator begin() const { return {this, 0}; }
  [[nodiscard]] ConstIterator end() const { return {this, size_}; }

  /// Appends `actor` at position size().
  void push_back(Actor actor);
  /// Puts `actor` at `index` (its position becomes `index`); the block is copied first when
  /// another list shares it.
  void replace(std::size_t index, Actor actor);
  /// A mutable view of the actor at `index`, its block copied first when shared.
  Actor& edit(std::size_t index);

 private:
  using Block = std::vector<Actor>;
  Block& own(std::size_t block);

  std::vector<std::shared_ptr<Block>> blocks_;
  std::size_t size_ = 0;
};

}  // namespace atr
