#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace atr::cli {

/// A plain text table with aligned columns; long cells are cut to `max_width` with "…".
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  /// Caps one column's width (counted in characters, not bytes).
  void set_max_width(std::size_t column, std::size_t width);
  [[nodiscard]] std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::size_t> max_widths_;
};

/// "$1.46"; short emulated or warm jobs cost fractions of a cent: "$0.0004" instead of "$0".
std::string cost_text(double cost);

/// Writes a JSON document to stdout, pretty-printed, with a final newline.
void print_json(const nlohmann::ordered_json& document);
/// Reports a failure: the error document on stdout with --json, else a line on stderr.
/// Returns the exit code for it.
int report_error(const Error& error, bool json);
/// Exit code for an error kind: 3 not found, 4 invalid/refused, 5 conflict, 1 otherwise.
int exit_code(ErrorCode code);

/// Exit codes of the command line, listed in --help.
inline constexpr int kExitOk = 0;
inline constexpr int kExitOther = 1;
inline constexpr int kExitUsage = 2;

/// Progress of long work on stderr. On a terminal, one line redrawn in place; anywhere else
/// (a log file, a CI console) a plain line at most every `interval`, and the last count at the
/// end when any line was printed, so a long job is never silent.
class ProgressBar {
 public:
  /// Where and how the progress goes; the default is stderr, a terminal when it is one.
  struct Output {
    std::ostream* stream = nullptr;  ///< null: std::cerr
    bool terminal = false;
    std::function<std::chrono::steady_clock::time_point()> now;  ///< empty: the steady clock
    std::chrono::milliseconds interval{2000};
  };
  ProgressBar(std::string label, bool enabled);
  ProgressBar(std::string label, bool enabled, Output output);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar();
  /// `stage` names the step when a job has several ("upload").
  void update(std::size_t done, std::size_t total, std::string_view stage = {});

 private:
  [[nodiscard]] std::chrono::steady_clock::time_point now() const;
  void print_line();

  std::string label_;
  bool enabled_;
  Output out_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_line_;
  std::string current_;  ///< "upload 12/40", the latest count
  std::string printed_;  ///< the count of the last line printed
};

}  // namespace atr::cli
