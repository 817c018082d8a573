#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atr {

/// ASCII lowercase copy; bytes >= 0x80 (UTF-8) are kept as they are.
std::string to_lower(std::string_view text);
/// `text` with every `from` replaced by `to`, left to right; the replacements are not searched
/// again (an empty `from` changes nothing).
std::string replace_all(std::string text, std::string_view from, std::string_view to);

/// True for 32 hex digits: an MD5, as a single-part S3 upload's ETag is (a multipart one ends in
/// "-<parts>").
bool is_md5_hex(std::string_view text);

/// Lowercase hex of `size` bytes (digests, random tokens).
std::string to_hex(const unsigned char* data, std::size_t size);
/// True when the text is ASCII whitespace only (or empty).
bool is_blank(std::string_view text);
/// The text without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);
/// Splits on runs of ASCII whitespace; no empty parts.
std::vector<std::string> split_words(std::string_view text);
/// Splits on a single separator; keeps empty parts.
std::vector<std::string> split(std::string_view text, char separator);
/// True when the text is one or more ASCII digits.
bool is_digits(std::string_view text);
/// Joins parts with a separator.
std::string join(const std::vector<std::string>& parts, std::string_view separator);
/// Case-insensitive (ASCII) equality.
bool iequals(std::string_view a, std::string_view b);
/// Lowercase file extension without the dot ("a.JPG" -> "jpg"); empty when there is none.
std::string extension_lower(std::string_view file_name);
/// Fixed-point number with at most `max_decimals` decimals and no trailing zeros ("0.0004").
std::string format_decimal(double value, int max_decimals);
/// Fixed-point number with exactly `decimals` decimals ("41.20"); never "-0.00".
std::string format_fixed(double value, int decimals);
/// "12.3 KB"-style size for people.
std::string format_bytes(unsigned long long bytes);
/// "1h 02m 05s"-style duration for people, from whole seconds.
std::string format_duration_seconds(long long seconds);
/// RFC 3339 UTC time of `unix_ms` milliseconds since the epoch, to the second:
/// "2026-11-28T10:00:00Z".
std::string format_utc_timestamp(long long unix_ms);
/// Milliseconds since the epoch of an ISO 8601 date-time as tools write it:
/// "2025-03-14T10:22:33Z", with a space for the T, fractional seconds, a "+01:00" offset, or
/// no zone (read as UTC); a plain date "2025-03-14" is its midnight UTC. Nothing otherwise.
/// (Written here: libstdc++ 12 has no std::chrono::parse.)
std::optional<long long> parse_utc_timestamp(std::string_view text);
/// Percent-encodes every byte except the unreserved ones of RFC 3986 (A-Z a-z 0-9 - . _ ~),
/// as %XX with uppercase hex; '/' stays when `keep_slash`. This is also SigV4's canonical form.
std::string percent_encode(std::string_view text, bool keep_slash = false);

}  // namespace atr
