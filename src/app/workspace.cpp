#include "app/workspace.h"

#include <system_error>

#include "base/files.h"
#include "base/paths.h"
#include "images/vips_scanner.h"
#include "registry/json_file_actor_registry.h"
#include "runpod/runpod_backend.h"

namespace atr {
namespace fs = std::filesystem;

Result<WorkflowTemplate> load_workflow(const fs::path& root, const std::string& name) {
  const std::string what = "workflow " + name;
  Result<fs::path> graph_path = confine(root, "workflows/" + name + ".json");
  if (!graph_path) return graph_path.error().with_context(what);
  Result<fs::path> table_path = confine(root, "workflows/" + name + ".bindings.json");
  if (!table_path) return table_path.error().with_context(what);
  Result<std::string> graph = read_file(*graph_path);
  if (!graph) {
    if (graph.error().code == ErrorCode::NotFound && name == default_workflow().name) {
      return default_workflow();
    }
    return graph.error().with_context(what);
  }
  Result<std::string> table = read_file(*table_path);
  if (!table) {
    return Error{ErrorCode::NotFound, what + ": " + graph_path->string() +
                                          " has no binding table " +
                                          table_path->filename().string()};
  }
  return parse_workflow(name, *graph, *table);
}

Result<std::unique_ptr<Workspace>> open_workspace(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Error{ErrorCode::NotFound, "workspace " + root.string() + ": no such folder"};
  }
  auto ws = std::make_unique<Workspace>();
  ws->root = fs::canonical(root, ec);
  Result<Config> config = load_config(ws->root, process_environment());
  if (!config) return config.error();
  ws->config = std::move(config).value();

  const fs::path actors = ws->root / "actors.json";
  Result<std::unique_ptr<JsonFileActorRegistry>> registry =
      JsonFileActorRegistry::open(actors, ws->root / ".actor-trainer" / "actors.lock");
  if (!registry) {
    if (registry.error().code == ErrorCode::NotFound) {
      return Error{ErrorCode::NotFound, "workspace " + ws->root.string() +
                                            " has no actors.json (use --workspace DIR to pick "
                                            "another folder)"};
    }
    return registry.error();
  }
  ws->registry = std::move(registry).value();
  ws->scanner = std::make_unique<VipsTrainingDataScanner>(ws->root);
  ws->backend =
      std::make_unique<RunpodBackend>(load_workflow(ws->root, ws->config.settings.workflow));
  return ws;
}

}  // namespace atr
