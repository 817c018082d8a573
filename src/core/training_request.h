#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/actor.h"
#include "core/plan.h"

namespace atr {

/// Who the training is for, as the RunPod worker expects it. Comes from configuration.
struct TrainingIdentity {
  std::string mode = "custom-actors";
  std::string user_id = "actor_maker_user";
  std::string tenant_id = "actor_maker";
};

/// Everything a `/run` call carries, decided by the core; runpod/ turns it into JSON.
struct TrainingRequest {
  std::string actor_id;
  std::string version_name;  ///< "V8"
  std::string model_name;    ///< "actor_0006_V8"
  std::string request_id;    ///< "0006_1764321000000"
  TrainingParameters parameters;
  std::vector<std::string> s3_urls;
  std::vector<std::string> presigned_urls;  ///< GET URLs of s3_urls, in the same order; optional
  TrainingIdentity identity;
  std::optional<std::string> webhook_url;  ///< none: polling alone tracks the job
  /// Sent as `policy.ttl`: RunPod deletes the job this long after submission, in any state.
  std::optional<std::int64_t> ttl_ms;
};

/// The next version number after the existing names ("V1", "V7" → 8); names that are not
/// "V<n>" are ignored. 1 when there are none.
int next_version_number(const std::vector<std::string>& existing_version_names);

/// Builds the request for training `actor` as version `version_number` at `now_unix_ms`.
/// Refuses, with a message that says what to do, when the actor has no id, no synced training
/// data (FailedPrecondition), or when `params` break a validation rule (InvalidArgument, every
/// field listed).
Result<TrainingRequest> prepare_training_request(const Actor& actor,
                                                 const TrainingParameters& params,
                                                 const TrainingIdentity& identity,
                                                 int version_number, std::int64_t now_unix_ms,
                                                 std::optional<std::string> webhook_url);

}  // namespace atr
