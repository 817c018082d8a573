#pragma once
// One answer of the product's HTTP API as the tests read it, made in one place: kept for the
// contract check (api_record.h), its body parsed when it is JSON.

#include <map>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace atr::testing {

/// One HTTP answer, with the body parsed when it is JSON (else null). `status` 0: no answer,
/// `error` says why.
// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json's implicit members; tests only
struct HttpAnswer {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  nlohmann::json doc;
  std::string error;

  [[nodiscard]] std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// The answer to `method path` as cpp-httplib returned it, recorded for the contract check.
HttpAnswer answer_of(std::string_view method, const std::string& path, const httplib::Result& r);

}  // namespace atr::testing
