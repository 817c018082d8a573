#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "core/actor.h"

namespace atr {

/// Parses a whole JSON document; a syntax error names its line and column (InvalidArgument).
Result<nlohmann::json> parse_json_document(std::string_view text);
/// The string member `key` of `object`; empty when it is absent or not a string.
std::string json_string(const nlohmann::json& object, const char* key);

/// `existing` (the current value of the member, or null when absent) with the record's fields
/// set; keys we do not own inside the block keep their value and position.
nlohmann::ordered_json merge_training_data(nlohmann::ordered_json existing,
                                           const TrainingDataRecord& record);
/// Same for the `validated_lora_model` block.
nlohmann::ordered_json merge_validated_model(nlohmann::ordered_json existing,
                                             const ValidatedModel& model);

}  // namespace atr
