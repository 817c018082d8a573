#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace atr {

/// An object's place in S3, from any of the URL forms people and tools write.
struct S3Location {
  std::string bucket;
  std::string key;     ///< decoded ("my photo.jpg", not "my%20photo.jpg")
  std::string region;  ///< from the host name when it names one ("us-west-1"); else empty

  /// "s3://bucket/key", the form the registry and the product record.
  [[nodiscard]] std::string url() const { return "s3://" + bucket + "/" + key; }
  /// The key's last segment: the file name.
  [[nodiscard]] std::string file_name() const;
  bool operator==(const S3Location&) const = default;
};

/// Reads `s3://bucket/key` and the https forms of AWS: virtual-hosted
/// (`https://bucket.s3.us-west-1.amazonaws.com/key`, also `s3-us-west-1` and the global
/// `bucket.s3.amazonaws.com`), path-style (`https://s3.us-west-1.amazonaws.com/bucket/key`)
/// and Transfer Acceleration (`https://bucket.s3-accelerate.amazonaws.com/key`). The key is
/// percent-decoded; a query string or fragment is dropped. Nothing for any other text.
std::optional<S3Location> parse_s3_url(std::string_view text);

}  // namespace atr
