#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atr::testing {

/// A request as a server received it: method, the raw request-target ("/b/a%20b.jpg?x=1")
/// and the headers.
struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The outcome of checking a SigV4 signature the way S3 does.
struct SignatureCheck {
  bool valid = false;
  std::string reason;             ///< why not, when not
  std::string canonical_request;  ///< as the verifier built it (for failure messages)
};

/// An independent SigV4 verifier for tests (it shares no code with src/s3/): it rebuilds the
/// canonical request the way S3 does, from what arrived: the path is percent-decoded and
/// re-encoded per segment, the query decoded, re-encoded and sorted, the signed headers
/// trimmed; then it recomputes the signature with `secret` and compares. It accepts header
/// authentication (Authorization + x-amz-date + x-amz-content-sha256) and presigned query
/// authentication (X-Amz-*; payload UNSIGNED-PAYLOAD).
SignatureCheck check_sigv4(const ReceivedRequest& request, std::string_view secret);

}  // namespace atr::testing
