#pragma once
// Reading what a request names: the actor of the path, ids, query parameters, the body. Each
// refusal is an Error about the input it names (http_status_of answers 422 for those).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "core/actor_registry.h"
#include "core/thumbnails.h"

namespace httplib {
struct Request;
}

namespace atr {

/// An actor with the catalog that holds it (the pointer lives as long as `catalog`).
struct FoundActor {
  std::shared_ptr<const ActorCatalog> catalog;
  const Actor* actor = nullptr;
};

/// The actor `ref` names (key, id in any form, or name). NotFound otherwise.
Result<FoundActor> find_actor(ActorRegistry& registry, const std::string& ref);

/// The actor's key as one URL path segment.
std::string actor_ref(const Actor& actor);

/// A row id ("12"); nothing for anything else.
std::optional<std::int64_t> parse_id(const std::string& text);

/// The query parameter `name` as a non-negative whole number, or `fallback` when absent.
Result<std::size_t> query_count(const httplib::Request& req, const char* name,
                                std::size_t fallback);

/// The query parameter `name` as true/false (also 1/0), or nothing when absent.
Result<std::optional<bool>> query_flag(const httplib::Request& req, const char* name);

/// Every value of a repeatable, comma-separable query parameter ("sex=female,male&sex=x").
std::vector<std::string> query_list(const httplib::Request& req, const char* name);

/// The `size` query parameter (small, medium, large); medium when absent.
Result<ThumbnailSize> thumbnail_size_of(const httplib::Request& req);

/// The row id in the path's first placeholder ({vid}, {pid}, {bid}); NotFound naming `what`
/// ("version") otherwise.
Result<std::int64_t> path_id(const httplib::Request& req, const char* what);

/// The `Idempotency-Key` header ("" when absent); InvalidArgument about it past 200 characters.
Result<std::string> idempotency_key(const httplib::Request& req);

/// The request body as a JSON object ({} when empty); Malformed about "body" otherwise.
Result<nlohmann::json> body_object(const httplib::Request& req);

}  // namespace atr
