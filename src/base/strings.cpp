#include "base/strings.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace atr {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char lower_char(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = lower_char(c);
  }
  return out;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  if (from.empty()) return text;
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

bool is_blank(std::string_view text) {
  return trim(text).empty();
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) {
      ++i;
    }
    size_t start = i;
    while (i < text.size() && !is_space(text[i])) {
      ++i;
    }
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == separator) {
      parts.emplace_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

bool is_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower_char(a[i]) != lower_char(b[i])) return false;
  }
  return true;
}

std::string extension_lower(std::string_view file_name) {
  size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return to_lower(file_name.substr(dot + 1));
}

std::string format_decimal(double value, int max_decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", max_decimals, value);
  std::string out(buffer);
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') {
      out.pop_back();
    }
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

std::string format_fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string out(buffer);
  if (out.find_first_not_of("-0.") == std::string::npos && out.front() == '-') out.erase(0, 1);
  return out;
}

std::string format_bytes(unsigned long long bytes) {
  constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  if (unit == 0) return std::to_string(bytes) + " B";
  return format_decimal(std::round(value * 10.0) / 10.0, 1) + " " + kUnits[unit];
}

std::string format_duration_seconds(long long seconds) {
  if (seconds < 0) seconds = 0;
  long long hours = seconds / 3600;
  long long minutes = (seconds % 3600) / 60;
  long long secs = seconds % 60;
  char buffer[64];
  if (hours > 0) {
    std::snprintf(buffer, sizeof buffer, "%lldh %02lldm %02llds", hours, minutes, secs);
  } else if (minutes > 0) {
    std::snprintf(buffer, sizeof buffer, "%lldm %02llds", minutes, secs);
  } else {
    std::snprintf(buffer, sizeof buffer, "%llds", secs);
  }
  return buffer;
}

std::string format_utc_timestamp(long long unix_ms) {
  using namespace std::chrono;
  const sys_seconds at{seconds{unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000}};
  const sys_days day = floor<days>(at);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> time{at - day};
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(time.hours().count()), static_cast<long>(time.minutes().count()),
                static_cast<long long>(time.seconds().count()));
  return out;
}

std::optional<long long> parse_utc_timestamp(std::string_view text) {
  using namespace std::chrono;
  text = trim(text);
  std::size_t at = 0;
  auto number = [&](std::size_t width, int& out) {
    if (at + width > text.size() || !is_digits(text.substr(at, width))) return false;
    out = std::stoi(std::string(text.substr(at, width)));
    at += width;
    return true;
  };
  auto expect = [&](char c) {
    if (at >= text.size() || text[at] != c) return false;
    ++at;
    return true;
  };
  int y = 0;
  int mo = 0;
  int d = 0;
  int h = 0;
  int mi = 0;
  int s = 0;
  if (!number(4, y) || !expect('-') || !number(2, mo) || !expect('-') || !number(2, d)) {
    return std::nullopt;
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  long long ms = 0;
  long long offset_minutes = 0;
  if (at < text.size()) {
    if (text[at] != 'T' && text[at] != 't' && text[at] != ' ') return std::nullopt;
    ++at;
    if (!number(2, h) || !expect(':') || !number(2, mi) || !expect(':') || !number(2, s) ||
        h > 23 || mi > 59 || s > 60) {
      return std::nullopt;
    }
    if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
      ++at;
      long long scale = 100;
      const std::size_t first = at;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
        ms += (text[at] - '0') * scale;
        scale /= 10;
        ++at;
      }
      if (at == first) return std::nullopt;
    }
    if (at < text.size()) {
      const char zone = text[at];
      if ((zone == 'Z' || zone == 'z') && at + 1 == text.size()) {
        ++at;
      } else if (zone == '+' || zone == '-') {
        ++at;
        int oh = 0;
        int om = 0;
        if (!number(2, oh)) return std::nullopt;
        if (at < text.size() && text[at] == ':') ++at;
        if (at < text.size() && !number(2, om)) return std::nullopt;
        offset_minutes = (zone == '+' ? 1 : -1) * (oh * 60LL + om);
      } else {
        return std::nullopt;
      }
    }
    if (at != text.size()) return std::nullopt;
  }
  const long long day_seconds =
      static_cast<long long>(sys_days{ymd}.time_since_epoch().count()) * 86400;
  const long long seconds_of_day = h * 3600LL + mi * 60LL + s - offset_minutes * 60;
  return (day_seconds + seconds_of_day) * 1000 + ms;
}

std::string percent_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    out += kHex[data[i] & 15];  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
  }
  return out;
}

bool is_md5_hex(std::string_view text) {
  return text.size() == 32 && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

}  // namespace atr
