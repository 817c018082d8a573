#include "http/request_args.h"

#include <httplib.h>

#include "api/request_body.h"
#include "base/strings.h"

namespace atr {

Result<FoundActor> find_actor(ActorRegistry& registry, const std::string& ref) {
  std::shared_ptr<const ActorCatalog> catalog = registry.catalog();
  Result<const Actor*> actor = catalog->find(ref);
  if (!actor) return actor.error();
  return FoundActor{std::move(catalog), *actor};
}

std::string actor_ref(const Actor& actor) {
  return percent_encode(actor.key());
}

std::optional<std::int64_t> parse_id(const std::string& text) {
  if (text.empty() || text.size() > 18 || !is_digits(text)) return std::nullopt;
  return std::stoll(text);
}

Result<std::size_t> query_count(const httplib::Request& req, const char* name,
                                std::size_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  if (text.empty() || text.size() > 9 || !is_digits(text)) {
    return Error{ErrorCode::InvalidArgument,
                 std::string(name) + ": '" + text + "' is not a whole number", 0, name};
  }
  return static_cast<std::size_t>(std::stoul(text));
}

Result<std::optional<bool>> query_flag(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::optional<bool>{};
  const std::string text = to_lower(req.get_param_value(name));
  if (text == "true" || text == "1") return std::optional<bool>{true};
  if (text == "false" || text == "0") return std::optional<bool>{false};
  return Error{ErrorCode::InvalidArgument,
               std::string(name) + ": '" + text + "' is not true or false", 0, name};
}

std::vector<std::string> query_list(const httplib::Request& req, const char* name) {
  std::vector<std::string> out;
  const std::size_t n = req.get_param_value_count(name);
  for (std::size_t i = 0; i < n; ++i) {
    for (const std::string& part : split(req.get_param_value(name, i), ',')) {
      if (!is_blank(part)) out.emplace_back(trim(part));
    }
  }
  return out;
}

Result<ThumbnailSize> thumbnail_size_of(const httplib::Request& req) {
  if (!req.has_param("size")) return ThumbnailSize::Medium;
  std::optional<ThumbnailSize> size = parse_thumbnail_size(req.get_param_value("size"));
  if (!size) return invalid_input("size", "size: use small, medium or large");
  return *size;
}

Result<std::int64_t> path_id(const httplib::Request& req, const char* what) {
  std::optional<std::int64_t> id = parse_id(req.matches[1]);
  if (!id) {
    return Error{ErrorCode::NotFound,
                 std::string("no ") + what + " " + std::string(req.matches[1])};
  }
  return *id;
}

Result<std::string> idempotency_key(const httplib::Request& req) {
  std::string key = req.get_header_value("Idempotency-Key");
  if (key.size() > 200) {
    return invalid_input("Idempotency-Key", "Idempotency-Key is longer than 200");
  }
  return key;
}

Result<nlohmann::json> body_object(const httplib::Request& req) {
  return parse_body_object(req.body);
}

}  // namespace atr
