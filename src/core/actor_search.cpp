#include "core/actor_search.h"

#include <algorithm>

#include "base/strings.h"

namespace atr {
namespace {

// Strips leading zeros so that "0006" and "6" compare equal; "0000" becomes "0".
std::string_view numeric_key(std::string_view digits) {
  size_t first = digits.find_first_not_of('0');
  if (first == std::string_view::npos) return "0";
  return digits.substr(first);
}

bool in_set(const std::vector<std::string>& wanted, const std::string& key) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), key) != wanted.end();
}

}  // namespace

bool matches_ref(const Actor& actor, std::string_view ref) {
  if (ref.empty()) return false;
  if (!actor.id.empty()) {
    if (actor.id == ref) return true;
    if (is_digits(ref) && is_digits(actor.id) && numeric_key(ref) == numeric_key(actor.id)) {
      return true;
    }
  }
  return !actor.name.empty() && actor.name == ref;
}

ActorCatalog::ActorCatalog(ActorList actors) : actors_(std::move(actors)) {}

ActorCatalog::ActorCatalog(std::vector<Actor> actors) : actors_(std::move(actors)) {}

const ActorCatalog::FacetKeys& ActorCatalog::facet_keys() const {
  std::call_once(facet_keys_built_, [this] {
    facet_keys_.sexes.reserve(actors_.size());
    facet_keys_.ethnicities.reserve(actors_.size());
    for (const Actor& actor : actors_) {
      facet_keys_.sexes.push_back(to_lower(trim(actor.sex)));
      facet_keys_.ethnicities.push_back(to_lower(trim(actor.ethnicity)));
    }
  });
  return facet_keys_;
}

const std::vector<std::string>& ActorCatalog::haystacks() const {
  std::call_once(haystacks_built_, [this] {
    haystacks_.reserve(actors_.size());
    for (const Actor& actor : actors_) {
      haystacks_.push_back(to_lower(actor.id + " " + actor.name + " " + actor.description));
    }
  });
  return haystacks_;
}

ActorSearchResult ActorCatalog::search(const ActorQuery& query, const HasData& has_data_of) const {
  std::vector<std::string> words = split_words(to_lower(query.text));
  std::vector<std::string> sexes;
  std::vector<std::string> ethnicities;
  for (const std::string& s : query.sex) {
    sexes.push_back(to_lower(trim(s)));
  }
  for (const std::string& e : query.ethnicity) {
    ethnicities.push_back(to_lower(trim(e)));
  }

  const FacetKeys& key = facet_keys();
  const std::vector<std::string>* hays = words.empty() ? nullptr : &haystacks();
  ActorSearchResult result;
  for (size_t i = 0; i < actors_.size(); ++i) {
    if (hays != nullptr) {
      const std::string& hay = (*hays)[i];
      const bool text_ok = std::all_of(words.begin(), words.end(), [&hay](const std::string& word) {
        return hay.find(word) != std::string::npos;
      });
      if (!text_ok) continue;
    }
    const Actor& actor = actors_[i];
    const bool has_data = has_data_of ? has_data_of(actor) : recorded_data(actor);
    const bool has_model = actor.has_validated_model();
    const bool sex_ok = in_set(sexes, key.sexes[i]);
    const bool eth_ok = in_set(ethnicities, key.ethnicities[i]);
    const bool data_ok = !query.has_data || *query.has_data == has_data;
    const bool model_ok = !query.has_model || *query.has_model == has_model;

    // Each facet ignores its own filter (see ActorFacets).
    if (eth_ok && data_ok && model_ok && !key.sexes[i].empty()) ++result.facets.sex[key.sexes[i]];
    if (sex_ok && data_ok && model_ok && !key.ethnicities[i].empty()) {
      ++result.facets.ethnicity[key.ethnicities[i]];
    }
    if (sex_ok && eth_ok && model_ok && has_data) ++result.facets.has_data;
    if (sex_ok && eth_ok && data_ok && has_model) ++result.facets.has_model;

    if (!(sex_ok && eth_ok && data_ok && model_ok)) continue;
    if (result.total >= query.offset && (query.limit == 0 || result.items.size() < query.limit)) {
      result.items.push_back(i);
    }
    ++result.total;
  }
  return result;
}

Result<const Actor*> ActorCatalog::find(std::string_view ref) const {
  const std::string_view key = trim(ref);
  if (key.empty()) return Error{ErrorCode::InvalidArgument, "actor reference is empty"};
  const Actor* found = nullptr;
  for (const Actor& actor : actors_) {
    if (!matches_ref(actor, key)) continue;
    if (found != nullptr) {
      return Error{ErrorCode::Conflict, "actor '" + std::string(key) + "' is ambiguous: it names " +
                                            found->label() + " (" + found->name + ") and " +
                                            actor.label() + " (" + actor.name + ")"};
    }
    found = &actor;
  }
  if (found == nullptr) return Error{ErrorCode::NotFound, "no actor '" + std::string(key) + "'"};
  return found;
}

}  // namespace atr
