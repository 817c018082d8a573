#include "core/poll_schedule.h"

#include <algorithm>
#include <set>
#include <utility>

namespace atr {
namespace {

constexpr UnixMs kMaxPauseMs = 60'000;
constexpr double kJitter = 0.2;

}  // namespace

PollSchedule::PollSchedule(TrackingSettings settings, std::uint64_t seed)
    : settings_(settings),
      rng_(seed == 0 ? 0x9E3779B97F4A7C15ULL : seed),
      tokens_(std::max(1.0, settings.poll_requests_per_second)) {}

double PollSchedule::next_unit() {
  // xorshift64*: jitter only needs to be spread, not unpredictable.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  const std::uint64_t x = rng_ * 0x2545F4914F6CDD1DULL;
  return static_cast<double>(x >> 11) / static_cast<double>(1ULL << 53);
}

UnixMs PollSchedule::interval_ms(VersionStatus status) {
  // Pending versions (never sent, or sent without an answer) are looked at as often as
  // queued ones: to send them, or to give up on them in time.
  UnixMs base = UnixMs{settings_.poll_queued_seconds} * 1000;
  if (status == VersionStatus::Training) base = UnixMs{settings_.poll_training_seconds} * 1000;
  const double factor = 1.0 - kJitter + 2.0 * kJitter * next_unit();
  return std::max<UnixMs>(1, static_cast<UnixMs>(static_cast<double>(base) * factor));
}

void PollSchedule::refill(UnixMs now) {
  // Token bucket: at most `rate` checks per second, with a burst of one second's worth.
  const double rate = std::max(0.1, settings_.poll_requests_per_second);
  if (refilled_at_ == 0) refilled_at_ = now;
  tokens_ = std::min(std::max(1.0, rate),
                     tokens_ + rate * static_cast<double>(now - refilled_at_) / 1000.0);
  refilled_at_ = now;
}

bool PollSchedule::take(UnixMs now) {
  refill(now);
  if (now < paused_until_ || tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::vector<std::int64_t> PollSchedule::due(const std::vector<Version>& unfinished, UnixMs now) {
  // Forget versions that finished (or vanished) since the last call.
  std::set<std::int64_t> present;
  for (const Version& v : unfinished) {
    present.insert(v.id);
  }
  std::erase_if(next_due_, [&](const auto& entry) { return !present.contains(entry.first); });
  for (const Version& v : unfinished) {
    next_due_.try_emplace(v.id, now);
  }

  refill(now);
  if (now < paused_until_) return {};

  std::vector<std::pair<UnixMs, std::int64_t>> ready;
  for (const auto& [id, at] : next_due_) {
    if (at <= now) ready.emplace_back(at, id);
  }
  std::sort(ready.begin(), ready.end());
  std::vector<std::int64_t> out;
  for (const auto& [at, id] : ready) {
    if (tokens_ < 1.0) break;
    tokens_ -= 1.0;
    out.push_back(id);
  }
  return out;
}

void PollSchedule::record(std::int64_t id, VersionStatus status, Outcome outcome, UnixMs now,
                          UnixMs asked_pause_ms) {
  if (outcome == Outcome::Busy) {
    busy_streak_ = std::min(busy_streak_ + 1, 16);
    const UnixMs pause = std::min<UnixMs>(kMaxPauseMs, UnixMs{1000} << (busy_streak_ - 1));
    paused_until_ =
        now + pause / 2 + static_cast<UnixMs>(static_cast<double>(pause) / 2.0 * next_unit());
    // The server's own word on when to come back wins over our guess (within the cap).
    paused_until_ = std::max(paused_until_, now + std::min(asked_pause_ms, kMaxPauseMs));
    // The version goes to the back of the line, not the front: others wait longer already.
    if (auto it = next_due_.find(id); it != next_due_.end()) it->second = paused_until_;
    return;
  }
  busy_streak_ = 0;
  if (is_final(status)) {
    next_due_.erase(id);
    return;
  }
  next_due_[id] = now + interval_ms(status);
}

}  // namespace atr
