#include "core/s3_url.h"

#include <cctype>

#include "base/strings.h"

namespace atr {
namespace {

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      return std::nullopt;
    }
    out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

// The region named by an S3 host's service label: "s3" → "", "s3.us-west-1" / "s3-us-west-1"
// → "us-west-1", "s3-accelerate" → "". Nothing when the label is not S3's.
std::optional<std::string> region_of(std::string_view service) {
  if (service == "s3" || service == "s3-accelerate" || service == "s3-accelerate.dualstack") {
    return std::string();
  }
  for (std::string_view lead : {"s3.dualstack.", "s3.", "s3-"}) {
    if (!service.starts_with(lead) || service.size() == lead.size()) continue;
    const std::string_view region = service.substr(lead.size());
    for (char c : region) {
      if (std::islower(static_cast<unsigned char>(c)) == 0 &&
          std::isdigit(static_cast<unsigned char>(c)) == 0 && c != '-') {
        return std::nullopt;
      }
    }
    return std::string(region);
  }
  return std::nullopt;
}

bool valid_bucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!(std::islower(static_cast<unsigned char>(c)) != 0 ||
          std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_')) {
      return false;
    }
  }
  return true;
}

std::optional<S3Location> make(std::string_view bucket, std::string_view raw_key,
                               std::string region, bool decode) {
  if (!valid_bucket(bucket) || raw_key.empty()) return std::nullopt;
  std::optional<std::string> key = decode ? percent_decode(raw_key) : std::string(raw_key);
  if (!key || key->empty()) return std::nullopt;
  return S3Location{std::string(bucket), std::move(*key), std::move(region)};
}

}  // namespace

std::string S3Location::file_name() const {
  const std::size_t slash = key.rfind('/');
  return slash == std::string::npos ? key : key.substr(slash + 1);
}

std::optional<S3Location> parse_s3_url(std::string_view text) {
  text = trim(text);
  if (text.starts_with("s3://")) {
    const std::string_view rest = text.substr(5);
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    return make(rest.substr(0, slash), rest.substr(slash + 1), "", false);
  }
  std::string_view rest;
  if (text.starts_with("https://")) {
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else {
    return std::nullopt;
  }
  rest = rest.substr(0, rest.find_first_of("?#"));
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string host = to_lower(rest.substr(0, slash));
  const std::string_view path = rest.substr(slash + 1);
  constexpr std::string_view kSuffix = ".amazonaws.com";
  if (!host.ends_with(kSuffix)) return std::nullopt;
  const std::string_view front = std::string_view(host).substr(0, host.size() - kSuffix.size());
  // Path-style: the whole front is the service ("s3.us-west-1"), the bucket leads the path.
  if (std::optional<std::string> region = region_of(front)) {
    const std::size_t cut = path.find('/');
    if (cut == std::string_view::npos) return std::nullopt;
    return make(path.substr(0, cut), path.substr(cut + 1), std::move(*region), true);
  }
  // Virtual-hosted: "<bucket>.<service>"; a bucket may hold dots, the service starts at "s3".
  for (std::size_t dot = front.find('.'); dot != std::string_view::npos;
       dot = front.find('.', dot + 1)) {
    if (std::optional<std::string> region = region_of(front.substr(dot + 1))) {
      return make(front.substr(0, dot), path, std::move(*region), true);
    }
  }
  return std::nullopt;
}

}  // namespace atr
