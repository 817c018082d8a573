#pragma once
// Reads actors.json without building a document tree: simdjson's On-Demand parser walks the
// text once, decodes the fields this product knows straight into Actors, validates every other
// value it walks past (so a malformed file is refused as nlohmann/json refuses it), and notes
// where each actor's object sits in the text, so an edit can splice one object without
// scanning the rest.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/actor.h"
#include "core/actor_list.h"

namespace atr {

/// Where one actor's object sits in the registry text: [begin, end), '{' to one past '}'.
struct ObjectBounds {
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct ReadActors {
  ActorList actors;                  ///< positions are the file order
  std::vector<ObjectBounds> bounds;  ///< one per actor, in file order
};

/// Bytes a string must hold beyond its size for read_actors() to parse it in place; with less
/// capacity the text is copied once into a padded buffer.
std::size_t actor_reader_padding();

/// Reads a whole registry: a JSON array of objects. InvalidArgument naming line and column for
/// malformed JSON, a top level that is not an array, or an element that is not an object.
Result<ReadActors> read_actors(const std::string& text);

}  // namespace atr
