#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace atr {

/// Counters and gauges in the Prometheus text format (version 0.0.4), written by hand: the
/// format is a few lines per family, and Debian has no Prometheus client library for C++ in
/// the versions these machines use. Thread-safe.
class Metrics {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  /// Adds `by` to the counter `name{labels}`; `help` is kept from the first call.
  void add(const std::string& name, const std::string& help, const Labels& labels,
           std::uint64_t by = 1);
  /// Sets the gauge `name{labels}`.
  void set(const std::string& name, const std::string& help, const Labels& labels, double value);
  /// Sets the counter `name{labels}` to a total kept elsewhere (the state store's sums, read
  /// at scrape time: they only grow, so they are counters).
  void set_total(const std::string& name, const std::string& help, const Labels& labels,
                 double value);
  /// Drops every series of the gauge `name` (before setting a fresh set of labels).
  void clear(const std::string& name);

  /// The exposition text: `# HELP`, `# TYPE` and one line per series, sorted.
  [[nodiscard]] std::string render() const;

 private:
  struct Family {
    std::string help;
    bool counter = true;
    std::map<std::string, double> series;  ///< rendered label set -> value
  };
  static std::string label_text(const Labels& labels);
  void put(const std::string& name, const std::string& help, const Labels& labels, double value,
           bool counter);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace atr
