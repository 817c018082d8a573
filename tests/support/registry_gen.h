#pragma once

#include <cstddef>
#include <string>

namespace atr::testing {

/// A realistic actors.json text with `count` actors in the 2-space style other tools write:
/// ids as zero-padded strings and numbers, varied sex/ethnicity/age, poster frames, unknown
/// fields, about a third with synced training data and a tenth with a validated model.
/// Deterministic for a given count.
std::string generate_registry(std::size_t count);

}  // namespace atr::testing
