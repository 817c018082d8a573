#pragma once

#include <string_view>

namespace atr {

/// resources/workflows/flux_actor_lora.json, embedded at build time.
extern const std::string_view kDefaultWorkflowJson;

/// resources/workflows/flux_preview.json, embedded at build time.
extern const std::string_view kPreviewWorkflowJson;

}  // namespace atr
