#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/actor.h"
#include "core/actor_list.h"

namespace atr {

/// A search over the actors: free text plus filters, then a page.
struct ActorQuery {
  std::string text;                    ///< every word must occur in name, id or description
  std::vector<std::string> sex;        ///< any of these (case-insensitive); empty = all
  std::vector<std::string> ethnicity;  ///< any of these (case-insensitive); empty = all
  std::optional<bool> has_data;        ///< has images to train on (see ActorCatalog::search)
  std::optional<bool> has_model;       ///< a validated model is recorded
  std::size_t offset = 0;
  std::size_t limit = 50;  ///< 0 means no limit
};

/// Counts that tell the user what each filter choice would give. Each facet counts the actors
/// that match every *other* filter, so choosing one sex still shows how many of each there are.
struct ActorFacets {
  std::map<std::string, std::size_t> sex;        ///< lowercase value -> count
  std::map<std::string, std::size_t> ethnicity;  ///< lowercase value -> count
  std::size_t has_data = 0;                      ///< matches with training data
  std::size_t has_model = 0;                     ///< matches with a validated model
};

/// The answer to a query: the page of matches (positions into the catalog) and the totals.
struct ActorSearchResult {
  std::size_t total = 0;           ///< matches before offset/limit
  std::vector<std::size_t> items;  ///< indices into ActorCatalog::actors, file order
  ActorFacets facets;
};

/// Whether an actor has images to train on, as the caller knows it. The product passes the
/// scan's DataSummary (the folder's usable images); `recorded_data` reads the registry alone.
using HasData = std::function<bool(const Actor&)>;

/// The registry's word on an actor's data: its training_data block records images.
inline bool recorded_data(const Actor& actor) {
  return actor.recorded_images() > 0;
}

/// All actors of a registry snapshot with a search index. Immutable once built, so readers on
/// several threads can share one through a shared_ptr while a reload builds the next.
class ActorCatalog {
 public:
  explicit ActorCatalog(ActorList actors);
  explicit ActorCatalog(std::vector<Actor> actors);

  [[nodiscard]] const ActorList& actors() const { return actors_; }
  /// Runs a query; `has_data` answers the "has data" filter and facet. Linear in the number of
  /// actors; see bench/registry_bench.cpp. The first search builds the search keys.
  [[nodiscard]] ActorSearchResult search(const ActorQuery& query, const HasData& has_data) const;
  /// Finds an actor by id in any form ("6", "0006", 6) or by exact name.
  /// NotFound when nothing matches; Conflict when the reference is ambiguous.
  [[nodiscard]] Result<const Actor*> find(std::string_view ref) const;

 private:
  // Built by the first search that needs them, not with the catalog: a command that only
  // finds one actor or writes one (`actors show`, `mark-good`) does not pay for them, and a
  // search without words does not build the text index.
  struct FacetKeys {
    std::vector<std::string> sexes;  ///< lowercase sex per actor
    std::vector<std::string> ethnicities;
  };
  const FacetKeys& facet_keys() const;
  /// Lowercase "id name description" per actor.
  const std::vector<std::string>& haystacks() const;

  ActorList actors_;
  mutable std::once_flag facet_keys_built_;
  mutable FacetKeys facet_keys_;
  mutable std::once_flag haystacks_built_;
  mutable std::vector<std::string> haystacks_;
};

/// True when `ref` names this actor: the same id text, the same number when both are digits
/// ("6" = "0006"), or the same name.
bool matches_ref(const Actor& actor, std::string_view ref);

}  // namespace atr
