#pragma once

#include <string_view>

namespace atr {

/// docs/openapi.json, compiled in (generated from openapi_document.cpp.in at configure time).
extern const std::string_view kOpenApiDocument;

}  // namespace atr
