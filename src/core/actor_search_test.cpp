#include "core/actor_search.h"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "base/strings.h"

namespace atr {
namespace {

Actor make_actor(std::string id, std::string name, std::string sex, std::string ethnicity,
                 std::string description = "", int images = 0, bool model = false) {
  Actor a;
  a.id = std::move(id);
  a.name = std::move(name);
  a.sex = std::move(sex);
  a.ethnicity = std::move(ethnicity);
  a.description = std::move(description);
  if (images > 0) a.training_data = TrainingDataRecord{{}, "", images, true};
  if (model) {
    a.validated_model =
        ValidatedModel{"job", "V1", "https://x/l.safetensors", "2026-11-28T10:00:00Z"};
  }
  return a;
}

ActorCatalog small_cast() {
  return ActorCatalog({
      make_actor("0000", "0000_european_16_male", "male", "european", "Freckles, red hair", 12),
      make_actor("0006", "0006_european_20_female", "female", "european", "Warm smile", 19, true),
      make_actor("7", "0007_asian_31_female", "Female", "Asian", "Glasses and a sharp look"),
      make_actor("0012", "0012_african_44_male", "male", "african", "", 40),
  });
}

std::vector<std::string> names(const ActorCatalog& catalog, const ActorSearchResult& result) {
  std::vector<std::string> out;
  for (size_t i : result.items) {
    out.push_back(catalog.actors()[i].name);
  }
  return out;
}

TEST(ActorFindTest, AcceptsEveryIdFormAndTheName) {
  const ActorCatalog catalog = small_cast();
  for (const char* ref : {"6", "0006", "006", "0006_european_20_female", " 6 "}) {
    Result<const Actor*> found = catalog.find(ref);
    ASSERT_TRUE(found) << ref << ": " << found.error().message;
    EXPECT_EQ((*found)->name, "0006_european_20_female") << ref;
  }
  Result<const Actor*> seven = catalog.find("0007");  // the file writes the id as "7"
  ASSERT_TRUE(seven);
  EXPECT_EQ((*seven)->name, "0007_asian_31_female");
  Result<const Actor*> zero = catalog.find("0");
  ASSERT_TRUE(zero);
  EXPECT_EQ((*zero)->id, "0000");
}

TEST(ActorFindTest, UnknownIsNotFoundAndAmbiguousIsConflict) {
  const ActorCatalog catalog = small_cast();
  Result<const Actor*> missing = catalog.find("999");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_EQ(catalog.find("").error().code, ErrorCode::InvalidArgument);

  ActorCatalog twins({make_actor("6", "a", "male", "x"), make_actor("0006", "b", "male", "x")});
  Result<const Actor*> both = twins.find("6");
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().code, ErrorCode::Conflict);
}

TEST(ActorSearchTest, EveryWordMustMatchInAnyCase) {
  const ActorCatalog catalog = small_cast();
  ActorQuery q;
  q.text = "EURO fem";
  EXPECT_EQ(names(catalog, catalog.search(q, recorded_data)),
            (std::vector<std::string>{"0006_european_20_female"}));
  q.text = "smile";  // description
  EXPECT_EQ(catalog.search(q, recorded_data).total, 1u);
  q.text = "0012";  // id
  EXPECT_EQ(catalog.search(q, recorded_data).total, 1u);
  q.text = "european nobody";
  EXPECT_EQ(catalog.search(q, recorded_data).total, 0u);
  q.text = "";
  EXPECT_EQ(catalog.search(q, recorded_data).total, 4u);
}

TEST(ActorSearchTest, FiltersCombineAndFacetsIgnoreTheirOwnFilter) {
  const ActorCatalog catalog = small_cast();
  ActorQuery q;
  q.sex = {"FEMALE"};
  ActorSearchResult r = catalog.search(q, recorded_data);
  EXPECT_EQ(r.total, 2u);
  // The sex facet still counts both sexes, so the user sees what switching would give.
  EXPECT_EQ(r.facets.sex["male"], 2u);
  EXPECT_EQ(r.facets.sex["female"], 2u);
  // The ethnicity facet is narrowed by the sex filter.
  EXPECT_EQ(r.facets.ethnicity["european"], 1u);
  EXPECT_EQ(r.facets.ethnicity["asian"], 1u);
  EXPECT_EQ(r.facets.ethnicity.count("african"), 0u);

  q.ethnicity = {"asian", "european"};
  EXPECT_EQ(catalog.search(q, recorded_data).total, 2u);
  q.has_data = true;
  EXPECT_EQ(names(catalog, catalog.search(q, recorded_data)),
            (std::vector<std::string>{"0006_european_20_female"}));
  q = ActorQuery{};
  q.has_model = false;
  r = catalog.search(q, recorded_data);
  EXPECT_EQ(r.total, 3u);
  EXPECT_EQ(r.facets.has_model, 1u);  // counted without the has_model filter
  EXPECT_EQ(r.facets.has_data, 2u);   // narrowed by has_model=false: 0006 has the model
}

TEST(ActorSearchTest, PagesKeepFileOrderAndTotal) {
  const ActorCatalog catalog = small_cast();
  ActorQuery q;
  q.limit = 2;
  q.offset = 1;
  ActorSearchResult r = catalog.search(q, recorded_data);
  EXPECT_EQ(r.total, 4u);
  EXPECT_EQ(r.items, (std::vector<size_t>{1, 2}));
  q.limit = 0;
  EXPECT_EQ(catalog.search(q, recorded_data).items.size(), 3u);
}

// Checks the index against a plain re-implementation of the rules on a 10,000-actor cast,
// for many random queries: same matches, same order, same facet counts.
TEST(ActorSearchTest, TenThousandActorsMatchABruteForceReference) {
  const std::vector<std::string> sexes = {"male", "female", "Male", ""};
  const std::vector<std::string> ethnicities = {"european", "asian", "african", "latino", "indian"};
  const std::vector<std::string> words = {"smile", "freckles", "hair", "glasses",
                                          "beard", "tall",     "quiet"};
  std::mt19937 rng(42);
  std::vector<Actor> actors;
  for (int i = 0; i < 10000; ++i) {
    char id[8];
    std::snprintf(id, sizeof id, "%04d", i);
    std::string description = words[rng() % words.size()] + " " + words[rng() % words.size()];
    actors.push_back(make_actor(id,
                                std::string(id) + "_" + ethnicities[static_cast<size_t>(i % 5)] +
                                    "_" + std::to_string(i % 60),
                                sexes[rng() % sexes.size()],
                                ethnicities[rng() % ethnicities.size()], description,
                                static_cast<int>(rng() % 3) * 10, rng() % 7 == 0));
  }
  const ActorCatalog catalog(actors);
  for (int round = 0; round < 200; ++round) {
    ActorQuery q;
    if (rng() % 2) q.text = words[rng() % words.size()];
    if (rng() % 3 == 0) q.text += " " + std::to_string(rng() % 10);
    if (rng() % 2) q.sex = {sexes[rng() % 2]};
    if (rng() % 3 == 0) q.ethnicity = {ethnicities[rng() % 5], ethnicities[rng() % 5]};
    if (rng() % 3 == 0) q.has_data = rng() % 2 == 0;
    if (rng() % 4 == 0) q.has_model = rng() % 2 == 0;
    q.limit = 0;
    const ActorSearchResult got = catalog.search(q, recorded_data);

    std::vector<size_t> expected;
    std::map<std::string, size_t> sex_facet;
    for (size_t i = 0; i < actors.size(); ++i) {
      const Actor& a = actors[i];
      const std::string hay = to_lower(a.id + " " + a.name + " " + a.description);
      bool text = true;
      for (const std::string& w : split_words(to_lower(q.text))) {
        text = text && hay.find(w) != std::string::npos;
      }
      auto in = [](const std::vector<std::string>& set, const std::string& v) {
        return set.empty() || std::any_of(set.begin(), set.end(),
                                          [&](const std::string& s) { return iequals(s, v); });
      };
      const bool eth = in(q.ethnicity, a.ethnicity);
      const bool data = !q.has_data || *q.has_data == recorded_data(a);
      const bool model = !q.has_model || *q.has_model == a.has_validated_model();
      if (text && eth && data && model && !a.sex.empty()) ++sex_facet[to_lower(a.sex)];
      if (text && in(q.sex, a.sex) && eth && data && model) expected.push_back(i);
    }
    ASSERT_EQ(got.items, expected) << "round " << round << " text '" << q.text << "'";
    ASSERT_EQ(got.total, expected.size());
    ASSERT_EQ(got.facets.sex, sex_facet) << "round " << round;
  }
}

}  // namespace
}  // namespace atr
