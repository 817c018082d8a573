#include "http/metrics.h"

#include <cmath>
#include <cstdio>

namespace atr {

std::string Metrics::label_text(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (const auto& [key, value] : labels) {
    if (out.size() > 1) out += ',';
    out += key;
    out += "=\"";
    for (char c : value) {
      if (c == '\\' || c == '"') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  out += '}';
  return out;
}

void Metrics::add(const std::string& name, const std::string& help, const Labels& labels,
                  std::uint64_t by) {
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  if (family.help.empty()) family.help = help;
  family.counter = true;
  family.series[label_text(labels)] += static_cast<double>(by);
}

void Metrics::put(const std::string& name, const std::string& help, const Labels& labels,
                  double value, bool counter) {
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  if (family.help.empty()) family.help = help;
  family.counter = counter;
  family.series[label_text(labels)] = value;
}

void Metrics::set(const std::string& name, const std::string& help, const Labels& labels,
                  double value) {
  put(name, help, labels, value, /*counter=*/false);
}

void Metrics::set_total(const std::string& name, const std::string& help, const Labels& labels,
                        double value) {
  put(name, help, labels, value, /*counter=*/true);
}

void Metrics::clear(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) it->second.series.clear();
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += family.help;
    out += "\n# TYPE ";
    out += name;
    out += family.counter ? " counter\n" : " gauge\n";
    for (const auto& [labels, value] : family.series) {
      char number[32];
      if (value == std::floor(value) && std::fabs(value) < 1e15) {
        std::snprintf(number, sizeof number, "%.0f", value);
      } else {
        std::snprintf(number, sizeof number, "%.6g", value);
      }
      out += name;
      out += labels;
      out += ' ';
      out += number;
      out += '\n';
    }
  }
  return out;
}

}  // namespace atr
