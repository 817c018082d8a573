#include "cli/output.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <unistd.h>

#include "api/api_json.h"
#include "base/strings.h"

namespace atr::cli {
namespace {

// Characters, not bytes: UTF-8 continuation bytes do not advance the column.
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string cut(const std::string& text, std::size_t width) {
  if (display_width(text) <= width || width == 0) return text;
  std::string out;
  std::size_t shown = 0;
  for (char c : text) {
    const bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_char && shown + 1 >= width) break;
    if (starts_char) ++shown;
    out += c;
  }
  return out + "…";
}

}  // namespace

void Table::set_max_width(std::size_t column, std::size_t width) {
  if (max_widths_.size() <= column) max_widths_.resize(column + 1, 0);
  max_widths_[column] = width;
}

std::string Table::render() const {
  const std::size_t columns = headers_.size();
  std::vector<std::vector<std::string>> cells;
  cells.push_back(headers_);
  for (const auto& row : rows_) {
    std::vector<std::string> fitted(columns);
    for (std::size_t c = 0; c < columns && c < row.size(); ++c) {
      const std::size_t cap = c < max_widths_.size() ? max_widths_[c] : 0;
      fitted[c] = cut(row[c], cap);
    }
    cells.push_back(std::move(fitted));
  }
  std::vector<std::size_t> widths(columns, 0);
  for (const auto& row : cells) {
    for (std::size_t c = 0; c < columns; ++c) {
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  }
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (std::size_t c = 0; c < columns; ++c) {
      line += row[c];
      if (c + 1 < columns) line += std::string(widths[c] - display_width(row[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') {
      line.pop_back();
    }
    out += line + "\n";
  }
  return out;
}

std::string cost_text(double cost) {
  return "$" + format_decimal(cost, cost < 0.01 ? 4 : 2);
}

void print_json(const nlohmann::ordered_json& document) {
  std::cout << document.dump(2) << "\n";
}

int exit_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::NotFound: return 3;
    case ErrorCode::InvalidArgument:
    case ErrorCode::FailedPrecondition: return 4;
    case ErrorCode::Conflict: return 5;
    case ErrorCode::Malformed: return 4;
    case ErrorCode::Unavailable:
    case ErrorCode::Internal:
    case ErrorCode::Unauthenticated:
    case ErrorCode::PermissionDenied:
    case ErrorCode::TooLarge: return kExitOther;
  }
  return kExitOther;
}

int report_error(const Error& error, bool json) {
  if (json) {
    print_json(error_to_json(error));
  } else {
    std::cerr << "actor-trainer: error: " << error.message << "\n";
  }
  return exit_code(error.code);
}

ProgressBar::ProgressBar(std::string label, bool enabled)
    : ProgressBar(std::move(label), enabled, Output{&std::cerr, ::isatty(STDERR_FILENO) == 1}) {}

ProgressBar::ProgressBar(std::string label, bool enabled, Output output)
    : label_(std::move(label)), enabled_(enabled), out_(std::move(output)) {
  if (out_.stream == nullptr) out_.stream = &std::cerr;
  last_line_ = now();
}

std::chrono::steady_clock::time_point ProgressBar::now() const {
  return out_.now ? out_.now() : std::chrono::steady_clock::now();
}

ProgressBar::~ProgressBar() {
  if (drawn_) *out_.stream << "\r\033[K" << std::flush;
  if (!out_.terminal && !printed_.empty() && printed_ != current_) print_line();
}

void ProgressBar::print_line() {
  *out_.stream << label_ << ": " << current_ << "\n" << std::flush;
  printed_ = current_;
  last_line_ = now();
}

void ProgressBar::update(std::size_t done, std::size_t total, std::string_view stage) {
  if (!enabled_ || total == 0) return;
  current_ = (stage.empty() ? "" : std::string(stage) + " ") + std::to_string(done) + "/" +
             std::to_string(total);
  if (!out_.terminal) {
    if (now() - last_line_ >= out_.interval) print_line();
    return;
  }
  constexpr std::size_t kWidth = 30;
  const std::size_t filled = done * kWidth / total;
  *out_.stream << "\r" << label_ << " [" << std::string(filled, '#')
               << std::string(kWidth - filled, '.') << "] " << current_ << "\033[K" << std::flush;
  drawn_ = true;
}

}  // namespace atr::cli
