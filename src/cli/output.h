#pragma once

#include <cstddef>
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

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar();
  void update(std::size_t done, std::size_t total);

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
};

}  // namespace atr::cli
