#include "runpod/runpod_backend.h"

#include "runpod/run_request.h"

namespace atr {

Result<std::string> RunpodBackend::render_request(const TrainingRequest& request) const {
  if (!workflow_) return workflow_.error();
  Result<nlohmann::ordered_json> body = build_run_body(request, *workflow_);
  if (!body) return body.error();
  return body->dump(2);
}

}  // namespace atr
