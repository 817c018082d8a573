#include "core/url_list.h"

#include <algorithm>

namespace atr {

UrlList::UrlList(std::initializer_list<std::string> urls) {
  for (const std::string& url : urls) {
    push_back(url);
  }
}

UrlList::UrlList(const std::vector<std::string>& urls) {
  for (const std::string& url : urls) {
    push_back(url);
  }
}

UrlList::operator std::vector<std::string>() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) {
    out.push_back((*this)[i]);
  }
  return out;
}

std::string_view UrlList::rest(std::size_t i) const {
  const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
  return std::string_view(rests_).substr(begin, ends_[i] - begin);
}

std::string UrlList::operator[](std::size_t i) const {
  const std::string_view tail = rest(i);
  std::string url;
  url.reserve(prefix_.size() + tail.size());
  url.append(prefix_).append(tail);
  return url;
}

void UrlList::push_back(std::string_view url) {
  if (ends_.empty()) {
    // The first URL is all prefix until a second one says how much is shared.
    prefix_.assign(url);
    ends_.push_back(0);
    return;
  }
  if (!url.starts_with(prefix_)) {
    // Shrink the prefix to what this URL shares, and give its lost tail back to every rest.
    const auto [shared, unused] =
        std::mismatch(prefix_.begin(), prefix_.end(), url.begin(), url.end());
    const std::size_t keep = static_cast<std::size_t>(shared - prefix_.begin());
    const std::string lost = prefix_.substr(keep);
    std::string rests;
    rests.reserve(rests_.size() + lost.size() * ends_.size());
    std::vector<std::uint32_t> ends;
    ends.reserve(ends_.size() + 1);
    for (std::size_t i = 0; i < ends_.size(); ++i) {
      rests.append(lost).append(rest(i));
      ends.push_back(static_cast<std::uint32_t>(rests.size()));
    }
    prefix_.resize(keep);
    rests_ = std::move(rests);
    ends_ = std::move(ends);
  }
  rests_.append(url.substr(prefix_.size()));
  ends_.push_back(static_cast<std::uint32_t>(rests_.size()));
}

void UrlList::clear() {
  prefix_.clear();
  rests_.clear();
  ends_.clear();
}

// The prefix is always the longest one the URLs share (or the one URL), so two lists of the
// same URLs hold the same three members.
bool UrlList::operator==(const UrlList& other) const {
  return ends_ == other.ends_ && prefix_ == other.prefix_ && rests_ == other.rests_;
}

}  // namespace atr
