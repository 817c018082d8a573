#include "core/stats.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "base/strings.h"

namespace atr {
namespace {

constexpr UnixMs kDayMs = 24LL * 3600 * 1000;

std::optional<double> median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
}

// Monday of the ISO week holding `at`, as a day.
std::string week_of(UnixMs at) {
  const UnixMs day = day_start(at);
  const std::chrono::weekday weekday{std::chrono::sys_days(std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(day))))};
  const UnixMs since_monday = static_cast<UnixMs>((weekday.c_encoding() + 6) % 7);
  return utc_day(day - since_monday * kDayMs);
}

bool failed_outcome(VersionStatus status) {
  return status == VersionStatus::Failed || status == VersionStatus::TimedOut ||
         status == VersionStatus::Lost;
}

std::string first_line(const std::string& text) {
  const size_t end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

VersionLine line_of(const Version& v) {
  VersionLine line;
  line.id = v.id;
  line.actor_id = v.actor_id;
  line.name = v.name;
  line.endpoint = v.endpoint_name;
  line.status = std::string(to_string(v.status));
  line.cost = v.cost.value_or(0.0);
  line.retries = v.retries;
  line.error = first_line(v.error);
  line.at = v.finished_at.value_or(v.created_at);
  return line;
}

template <typename Map>
std::vector<PeriodCost> periods_of(const Map& spent) {
  std::vector<PeriodCost> out;
  out.reserve(spent.size());
  for (const auto& [period, value] : spent) {
    out.push_back({period, value});
  }
  return out;
}

}  // namespace

std::string utc_day(UnixMs at) {
  return format_utc_timestamp(at).substr(0, 10);
}

Stats compute_stats(const std::vector<Version>& versions, const std::vector<SpendEntry>& spend,
                    UnixMs since, UnixMs now, std::size_t top) {
  Stats s;
  s.since = since;
  s.now = now;
  std::map<std::string, DayStats> days;
  std::map<std::string, double> weeks;
  std::map<std::string, double> months;
  std::map<std::pair<std::string, std::string>, std::vector<double>> speeds;
  std::map<std::string, ActorCost> actors;
  std::vector<double> durations;
  std::vector<VersionLine> counted;
  UnixMs first = now;
  for (const Version& v : versions) {
    if (v.imported || v.created_at < since) continue;
    ++s.trainings;
    s.retries += v.retries;
    first = std::min(first, v.created_at);
    DayStats& started = days[utc_day(v.created_at)];
    ++started.started;
    ActorCost& actor = actors[v.actor_id];
    actor.actor_id = v.actor_id;
    actor.actor_name = v.actor_name;
    ++actor.trainings;
    counted.push_back(line_of(v));
    if (!is_final(v.status)) {
      ++s.running;
      continue;
    }
    DayStats& ended = days[utc_day(v.finished_at.value_or(v.updated_at))];
    if (v.status == VersionStatus::Completed) {
      ++s.completed;
      ++ended.completed;
      if (v.execution_ms) durations.push_back(static_cast<double>(*v.execution_ms) / 1000.0);
      if (v.execution_ms && *v.execution_ms > 0 && v.parameters.max_train_steps > 0) {
        speeds[{v.endpoint_name, utc_day(v.finished_at.value_or(v.updated_at))}].push_back(
            static_cast<double>(*v.execution_ms) / 1000.0 /
            static_cast<double>(v.parameters.max_train_steps));
      }
    } else if (failed_outcome(v.status)) {
      ++s.failed;
      ++ended.failed;
      s.failures.push_back(line_of(v));
    } else {
      ++s.cancelled;
      ++ended.cancelled;
    }
  }
  for (const SpendEntry& e : spend) {
    if (e.at < since || e.spent <= 0.0) continue;
    first = std::min(first, e.at);
    s.spent += e.spent;
    (e.kind == "preview" ? s.spent_previews : s.spent_trainings) += e.spent;
    days[utc_day(e.at)].spent += e.spent;
    weeks[week_of(e.at)] += e.spent;
    months[utc_day(e.at).substr(0, 7)] += e.spent;
    ActorCost& actor = actors[e.actor_id];
    actor.actor_id = e.actor_id;
    actor.spent += e.spent;
  }
  if (s.completed + s.failed > 0) {
    s.success_rate = static_cast<double>(s.completed) / static_cast<double>(s.completed + s.failed);
  }
  s.median_duration_seconds = median(durations);
  // Every day from the first counted one to today, so a chart shows quiet days as zeros.
  if (!days.empty() || s.trainings > 0) {
    for (UnixMs day = day_start(std::max(first, since)); day <= now; day += kDayMs) {
      DayStats& d = days[utc_day(day)];
      d.day = utc_day(day);
    }
  }
  for (auto& [day, d] : days) {
    d.day = day;
    s.days.push_back(d);
  }
  s.weeks = periods_of(weeks);
  s.months = periods_of(months);
  for (const auto& [key, values] : speeds) {
    s.speeds.push_back({key.first, key.second, *median(values), static_cast<int>(values.size())});
  }
  for (auto& [id, actor] : actors) {
    s.actors.push_back(std::move(actor));
  }
  std::stable_sort(s.actors.begin(), s.actors.end(),
                   [](const ActorCost& a, const ActorCost& b) { return a.spent > b.spent; });
  if (s.actors.size() > top) s.actors.resize(top);
  std::erase_if(counted, [](const VersionLine& line) { return line.cost <= 0.0; });
  std::stable_sort(counted.begin(), counted.end(),
                   [](const VersionLine& a, const VersionLine& b) { return a.cost > b.cost; });
  if (counted.size() > top) counted.resize(top);
  s.most_expensive = std::move(counted);
  std::stable_sort(s.failures.begin(), s.failures.end(),
                   [](const VersionLine& a, const VersionLine& b) { return a.at > b.at; });
  if (s.failures.size() > top) s.failures.resize(top);
  return s;
}

}  // namespace atr
