#include "http/api_context.h"

namespace atr {

const std::vector<ApiRoute>& api_routes() {
  // Every route of the API on one screen. Paths use the OpenAPI document's {placeholders};
  // {vid}, {pid} and {bid} are numbers, the others one path segment.
  static const std::vector<ApiRoute> kRoutes = {
      {"GET", "/api/health", get_health},
      {"GET", "/api/openapi.json", get_openapi},
      {"GET", "/api/settings", get_settings},
      {"GET", "/api/actors", list_actors},
      {"GET", "/api/actors/{id}", get_actor},
      {"GET", "/api/actors/{id}/poster", get_poster},
      {"GET", "/api/actors/{id}/training-data", get_training_data},
      {"GET", "/api/actors/{id}/training-data/{file}", get_training_image},
      {"POST", "/api/actors/{id}/sync", start_sync},
      {"GET", "/api/actors/{id}/training-plan", get_plan},
      {"POST", "/api/actors/{id}/training-plan", post_plan},
      {"GET", "/api/actors/{id}/training-versions", list_versions},
      {"POST", "/api/actors/{id}/training-versions", start_training},
      {"POST", "/api/actors/{id}/mark-good", mark_good},
      {"DELETE", "/api/actors/{id}/mark-good", clear_good},
      {"GET", "/api/training-versions/compare", compare_versions},
      {"GET", "/api/training-versions/{vid}", get_version},
      {"GET", "/api/training-versions/{vid}/logs", get_version_logs},
      {"POST", "/api/training-versions/{vid}/abort", abort_version},
      {"POST", "/api/training-versions/{vid}/refresh", refresh_version},
      {"POST", "/api/training-versions/{vid}/retry", retry_version},
      {"POST", "/api/training-versions/{vid}/rerun", rerun_version},
      {"GET", "/api/training-versions/{vid}/curve", get_curve},
      {"GET", "/api/training-versions/{vid}/previews", list_previews},
      {"POST", "/api/training-versions/{vid}/previews", start_previews},
      {"GET", "/api/previews/{pid}/images/{n}", get_preview_image},
      {"POST", "/api/previews/{pid}/abort", abort_preview},
      {"POST", "/api/import", import_history},
      {"GET", "/api/budget", get_budget},
      {"PUT", "/api/budget", put_budget},
      {"DELETE", "/api/budget", delete_budget},
      {"POST", "/api/batch-plan", post_batch_plan},
      {"GET", "/api/batches", list_batches},
      {"POST", "/api/batches", start_batch},
      {"GET", "/api/batches/{bid}", get_batch},
      {"POST", "/api/batches/{bid}/cancel", cancel_batch},
      {"GET", "/api/stats", get_stats},
      {"GET", "/api/events", get_events},
      {"GET", "/api/tunnel", get_tunnel},
      {"POST", "/api/tunnel/start", start_tunnel},
      {"POST", "/api/tunnel/stop", stop_tunnel},
      {"GET", "/metrics", get_metrics},
  };
  return kRoutes;
}

}  // namespace atr
