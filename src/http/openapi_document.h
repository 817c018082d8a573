#pragma once

#include <string_view>

namespace atr {

/// docs/openapi.json, compiled in (generated from openapi_document.cpp.in at configure time).
std::string_view openapi_document_text();

}  // namespace atr
