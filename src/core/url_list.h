#pragma once
// A list of URLs held compactly: the training images of one actor share all but the file name
// ("s3://bucket/actors/<name>/training_data/" + "img_001.jpg"), so the shared prefix is kept
// once and each URL's rest after it, in one buffer. A studio's registry records tens of
// thousands of actors with dozens of URLs each; as separate strings they were most of what
// reading it cost in memory and allocations.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace atr {

/// Reads like a vector of strings (elements come back by value) and converts to one.
class UrlList {
 public:
  class ConstIterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::string;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::string;

    ConstIterator(const UrlList* list, std::size_t index) : list_(list), index_(index) {}
    std::string operator*() const { return (*list_)[index_]; }
    ConstIterator& operator++() {
      ++index_;
      return *this;
    }
    ConstIterator operator++(int) {
      ConstIterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const ConstIterator& other) const { return index_ == other.index_; }

   private:
    const UrlList* list_;
    std::size_t index_;
  };
  // The names the standard library and GoogleTest's printer look for in a container.
  using value_type = std::string;        // NOLINT(readability-identifier-naming)
  using const_iterator = ConstIterator;  // NOLINT(readability-identifier-naming)
  using iterator = ConstIterator;        // NOLINT(readability-identifier-naming)

  UrlList() = default;
  UrlList(std::initializer_list<std::string> urls);
  UrlList(const std::vector<std::string>& urls);  // NOLINT(google-explicit-constructor)
  operator std::vector<std::string>() const;      // NOLINT(google-explicit-constructor)

  [[nodiscard]] std::size_t size() const { return ends_.size(); }
  [[nodiscard]] bool empty() const { return ends_.empty(); }
  [[nodiscard]] std::string operator[](std::size_t i) const;
  [[nodiscard]] std::string front() const { return (*this)[0]; }
  [[nodiscard]] std::string back() const { return (*this)[size() - 1]; }
  [[nodiscard]] ConstIterator begin() const { return {this, 0}; }
  [[nodiscard]] ConstIterator end() const { return {this, size()}; }
  void push_back(std::string_view url);
  void clear();

  /// The same URLs in the same order.
  bool operator==(const UrlList& other) const;

 private:
  [[nodiscard]] std::string_view rest(std::size_t i) const;

  std::string prefix_;               ///< what every URL starts with
  std::string rests_;                ///< each URL after the prefix, back to back
  std::vector<std::uint32_t> ends_;  ///< where each URL's rest ends in rests_
};

}  // namespace atr
