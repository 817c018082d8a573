#pragma once

#include <string_view>

namespace atr::testing {

/// Keeps one answer of the product's API for the contract check: when ATR_API_RECORD names a
/// folder, appends {method, path, status, content_type, body} as a line of
/// `<folder>/<pid>.jsonl`; otherwise does nothing. `target` may carry a query (it is dropped).
/// web/scripts/check-api-answers.mjs validates every kept body against docs/openapi.json.
void record_api_answer(std::string_view method, std::string_view target, int status,
                       std::string_view content_type, std::string_view body);

}  // namespace atr::testing
