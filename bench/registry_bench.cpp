// Loading a 10,000-actor registry and searching it: the two things the actor selector does
// on every open and every keystroke. Targets (release, 2 cores): load <= 250 ms, one
// search + filters + facets <= 2 ms median. See bench/README.md.

#include <benchmark/benchmark.h>

#include "registry/json_file_actor_registry.h"
#include "support/registry_gen.h"
#include "support/temp_dir.h"

namespace atr {
namespace {

constexpr size_t kActors = 10000;

const testing::TempDir& workspace() {
  static const testing::TempDir dir;
  static const bool written = [] {
    dir.write("actors.json", testing::generate_registry(kActors));
    return true;
  }();
  (void)written;
  return dir;
}

std::shared_ptr<const ActorCatalog> catalog() {
  static const std::shared_ptr<const ActorCatalog> loaded =
      JsonFileActorRegistry::open(workspace().path() / "actors.json", workspace().path() / "lock")
          .value()
          ->catalog();
  return loaded;
}

void BM_LoadRegistry10k(benchmark::State& state) {
  const auto file = workspace().path() / "actors.json";
  for (auto _ : state) {
    auto registry = JsonFileActorRegistry::open(file, workspace().path() / "lock");
    benchmark::DoNotOptimize(registry.value()->catalog());
  }
  state.counters["actors"] = static_cast<double>(kActors);
  state.counters["bytes"] = static_cast<double>(std::filesystem::file_size(file));
}
BENCHMARK(BM_LoadRegistry10k)->Unit(benchmark::kMillisecond);

void run_search(benchmark::State& state, const ActorQuery& query) {
  const auto actors = catalog();
  size_t total = 0;
  for (auto _ : state) {
    ActorSearchResult result = actors->search(query, atr::recorded_data);
    total = result.total;
    benchmark::DoNotOptimize(result);
  }
  state.counters["matches"] = static_cast<double>(total);
}

void BM_SearchAll(benchmark::State& state) {
  run_search(state, ActorQuery{});
}
BENCHMARK(BM_SearchAll)->Unit(benchmark::kMicrosecond);

void BM_SearchTwoWords(benchmark::State& state) {
  ActorQuery q;
  q.text = "euro smile";
  run_search(state, q);
}
BENCHMARK(BM_SearchTwoWords)->Unit(benchmark::kMicrosecond);

void BM_SearchTextAndFilters(benchmark::State& state) {
  ActorQuery q;
  q.text = "year old";
  q.sex = {"female"};
  q.ethnicity = {"asian", "european", "latino"};
  q.has_data = true;
  q.has_model = false;
  run_search(state, q);
}
BENCHMARK(BM_SearchTextAndFilters)->Unit(benchmark::kMicrosecond);

void BM_SearchNoMatch(benchmark::State& state) {
  ActorQuery q;
  q.text = "zzzz-nobody";
  run_search(state, q);
}
BENCHMARK(BM_SearchNoMatch)->Unit(benchmark::kMicrosecond);

void BM_PatchOneActor10k(benchmark::State& state) {
  const std::string text = testing::slurp(workspace().path() / "actors.json");
  TrainingDataRecord record{{"s3://b/a.jpg"}, "data/actors/x/training_data", 1, true};
  for (auto _ : state) {
    Result<std::string> out =
        apply_patches(text, {ActorPatch{.actor_ref = "5001", .training_data = record}});
    benchmark::DoNotOptimize(out.value());
  }
}
BENCHMARK(BM_PatchOneActor10k)->Unit(benchmark::kMillisecond);

// A real write: lock, compare bytes, splice, re-parse, atomic write with fsync. Alternates the
// value so every iteration changes the file.
void BM_UpdateOneActor10k(benchmark::State& state) {
  const testing::TempDir dir;
  dir.write("actors.json", testing::slurp(workspace().path() / "actors.json"));
  auto registry =
      JsonFileActorRegistry::open(dir.path() / "actors.json", dir.path() / "lock").value();
  bool good = false;
  for (auto _ : state) {
    good = !good;
    Status status = registry->update({ActorPatch{.actor_ref = "5002", .good = good}});
    benchmark::DoNotOptimize(status.has_value());
  }
}
BENCHMARK(BM_UpdateOneActor10k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace atr
