// The actor routes: the searchable list (with its answer cache), one actor, its poster.
#include <httplib.h>

#include "base/files.h"
#include "base/paths.h"
#include "base/strings.h"
#include "http/api_context.h"
#include "http/problem.h"
#include "http/request_args.h"
#include "http/static_files.h"

namespace atr {
namespace {

namespace fs = std::filesystem;
using Req = httplib::Request;
using Res = httplib::Response;

constexpr std::size_t kMaxListLimit = 1000;

// The actor's local poster file (workspace-relative), or empty.
std::string local_poster(const fs::path& workspace, const Actor& actor) {
  std::error_code ec;
  for (const char* ext : {"webp", "png", "jpg"}) {
    std::string rel = "data/actors/" + actor.name + "/poster." + ext;
    Result<fs::path> path = confine(workspace, rel);
    if (path && fs::is_regular_file(*path, ec)) return rel;
  }
  return {};
}

Result<ActorQuery> query_of(const Req& req) {
  ActorQuery query;
  query.text = req.get_param_value("q");
  query.sex = query_list(req, "sex");
  query.ethnicity = query_list(req, "ethnicity");
  Result<std::optional<bool>> has_data = query_flag(req, "has_data");
  if (!has_data) return has_data.error();
  query.has_data = *has_data;
  Result<std::optional<bool>> has_model = query_flag(req, "has_model");
  if (!has_model) return has_model.error();
  query.has_model = *has_model;
  Result<std::size_t> limit = query_count(req, "limit", 50);
  if (!limit) return limit.error();
  if (*limit == 0 || *limit > kMaxListLimit) {
    return invalid_input("limit", "limit: must be 1 to " + std::to_string(kMaxListLimit));
  }
  Result<std::size_t> offset = query_count(req, "offset", 0);
  if (!offset) return offset.error();
  query.limit = *limit;
  query.offset = *offset;
  return query;
}

std::string cache_key(const ActorQuery& query) {
  std::string key =
      query.text + '\x1f' + join(query.sex, ",") + '\x1f' + join(query.ethnicity, ",") + '\x1f';
  key += query.has_data ? (*query.has_data ? "1" : "0") : "-";
  key += query.has_model ? (*query.has_model ? "1" : "0") : "-";
  key += '\x1f' + std::to_string(query.limit) + '\x1f' + std::to_string(query.offset);
  return key;
}

}  // namespace

ActorView ApiContext::actor_view(const Actor& a) {
  ActorView view;
  const auto now = std::chrono::steady_clock::now();
  std::optional<std::string> poster;
  {
    std::lock_guard lock(poster_mutex);
    auto it = posters.find(a.name);
    if (it != posters.end() && now - it->second.at < kDiskFactsTtl) poster = it->second.poster;
  }
  if (!poster) {
    poster = local_poster(s.workspace, a);
    std::lock_guard lock(poster_mutex);
    posters[a.name] = {*poster, now};
  }
  if (!poster->empty() || !a.poster_url.empty()) {
    view.poster_url = "/api/actors/" + actor_ref(a) + "/poster";
  }
  view.data = s.data.of(a);
  view.latest_version = s.latest.of(a.key());
  return view;
}

void ApiContext::append_actor_item(const Actor& actor, const PieceStamp& stamp, std::string& out) {
  // Nothing it shows can have changed: the same record, no version or data summary changed
  // since the piece was checked, and its disk facts are young enough.
  {
    std::shared_lock lock(piece_mutex);
    auto it = pieces.find(actor.key());
    if (it != pieces.end() && actor.revision != 0 && it->second.revision == actor.revision &&
        it->second.stamp.latest_generation == stamp.latest_generation &&
        it->second.stamp.data_generation == stamp.data_generation &&
        stamp.at - it->second.stamp.at < kDiskFactsTtl) {
      out += it->second.json;
      return;
    }
  }
  // Else the piece holds while the record's revision and the view are the same.
  ActorView view = actor_view(actor);
  {
    std::unique_lock lock(piece_mutex);
    auto it = pieces.find(actor.key());
    if (it != pieces.end() && actor.revision != 0 && it->second.revision == actor.revision &&
        it->second.view == view) {
      it->second.stamp = stamp;
      out += it->second.json;
      return;
    }
  }
  std::string json = json_text(actor_to_json(actor, view));
  out += json;
  std::unique_lock lock(piece_mutex);
  // Keys of actors no longer in the registry would stay forever: start over past twice the
  // registry's size.
  if (pieces.size() >= 2 * std::max<std::size_t>(s.registry.catalog()->actors().size(), 512)) {
    pieces.clear();
  }
  pieces.insert_or_assign(actor.key(),
                          ActorPiece{actor.revision, std::move(view), std::move(json), stamp});
}

std::shared_ptr<const std::vector<bool>> ApiContext::has_data_facts(
    const std::shared_ptr<const ActorCatalog>& catalog, std::uint64_t data_generation,
    std::chrono::steady_clock::time_point now) {
  {
    std::lock_guard lock(facts_mutex);
    if (facts.has_data && facts.catalog == catalog && facts.data_generation == data_generation &&
        now - facts.at < kDiskFactsTtl) {
      return facts.has_data;
    }
  }
  auto has_data = std::make_shared<std::vector<bool>>(catalog->actors().size());
  for (const Actor& a : catalog->actors()) {
    (*has_data)[a.position] = s.data.of(a).has_data();
  }
  std::lock_guard lock(facts_mutex);
  facts = HasDataFacts{catalog, data_generation, now, has_data};
  return has_data;
}

void list_actors(ApiContext& c, const Req& req, Res& res) {
  Result<ActorQuery> query = query_of(req);
  if (!query) return send_error(res, query.error());
  const std::string key = cache_key(*query);
  std::shared_ptr<const ActorCatalog> catalog = c.s.registry.catalog();
  const std::uint64_t generation = c.s.latest.generation();
  const std::uint64_t data_generation = c.s.data.generation();
  const auto now = std::chrono::steady_clock::now();
  res.set_header("Cache-Control", "no-store");
  {
    std::lock_guard lock(c.list_mutex);
    auto it = c.list_cache.find(key);
    if (it != c.list_cache.end() && it->second.catalog == catalog &&
        it->second.generation == generation && it->second.data_generation == data_generation &&
        now - it->second.at < kDiskFactsTtl) {
      res.set_content(it->second.body, "application/json");
      return;
    }
  }
  const std::shared_ptr<const std::vector<bool>> has_data =
      c.has_data_facts(catalog, data_generation, now);
  const ActorSearchResult found =
      catalog->search(*query, [&has_data](const Actor& a) { return (*has_data)[a.position]; });
  // The document actor_list_to_json() makes, assembled from the actors' rendered pieces. The
  // generations were read before any view is computed, so a change during this request is
  // seen by the next one.
  const ApiContext::PieceStamp stamp{generation, data_generation, now};
  std::string body = "{\"total\":" + std::to_string(found.total) + ",\"items\":[";
  for (std::size_t n = 0; n < found.items.size(); ++n) {
    if (n > 0) body += ',';
    c.append_actor_item(catalog->actors()[found.items[n]], stamp, body);
  }
  body += "],\"facets\":" + json_text(facets_to_json(found.facets)) + "}";
  {
    std::lock_guard lock(c.list_mutex);
    auto old = c.list_cache.find(key);
    if (old != c.list_cache.end()) {
      c.list_cache_bytes -= old->second.body.size();
      c.list_cache.erase(old);
    }
    while (!c.list_cache.empty() && c.list_cache_bytes + body.size() > ApiContext::kMaxListBytes) {
      auto oldest =
          std::min_element(c.list_cache.begin(), c.list_cache.end(),
                           [](const auto& a, const auto& b) { return a.second.at < b.second.at; });
      c.list_cache_bytes -= oldest->second.body.size();
      c.list_cache.erase(oldest);
    }
    if (body.size() <= ApiContext::kMaxListBytes) {
      c.list_cache_bytes += body.size();
      c.list_cache[key] = {catalog, generation, data_generation, now, body};
    }
  }
  res.set_content(body, "application/json");
}

void get_actor(ApiContext& c, const Req& req, Res& res) {
  Result<FoundActor> found = find_actor(c.s.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  send_json(res, 200, actor_to_json(*found->actor, c.actor_view(*found->actor)));
}

void get_poster(ApiContext& c, const Req& req, Res& res) {
  Result<FoundActor> found = find_actor(c.s.registry, req.matches[1]);
  if (!found) return send_error(res, found.error());
  Result<ThumbnailSize> size = thumbnail_size_of(req);
  if (!size) return send_error(res, size.error());
  const Actor& a = *found->actor;
  if (std::string rel = local_poster(c.s.workspace, a); !rel.empty()) {
    return send_thumbnail(req, res, c.s.thumbnails.thumbnail(rel, *size));
  }
  // A remote poster is the browser's to load: redirect, never proxy.
  if (a.poster_url.starts_with("https://") || a.poster_url.starts_with("http://")) {
    res.set_redirect(a.poster_url, 302);
    return;
  }
  send_error(res, Error{ErrorCode::NotFound, "actor " + a.label() + " has no poster"});
}

}  // namespace atr
