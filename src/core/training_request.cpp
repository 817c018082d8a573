#include "core/training_request.h"

#include <algorithm>

#include "base/strings.h"

namespace atr {

int next_version_number(const std::vector<std::string>& existing_version_names) {
  int highest = 0;
  for (const std::string& name : existing_version_names) {
    if (name.size() < 2 || (name[0] != 'V' && name[0] != 'v')) continue;
    const std::string_view digits = std::string_view(name).substr(1);
    if (!is_digits(digits) || digits.size() > 9) continue;
    highest = std::max(highest, std::stoi(std::string(digits)));
  }
  return highest + 1;
}

Result<TrainingRequest> prepare_training_request(const Actor& actor,
                                                 const TrainingParameters& params,
                                                 const TrainingIdentity& identity,
                                                 int version_number, std::int64_t now_unix_ms,
                                                 std::optional<std::string> webhook_url) {
  const std::string what = "train " + actor.label();
  auto refuse = [&what](std::string why) {
    return Error{ErrorCode::FailedPrecondition, what + ": " + std::move(why)};
  };
  if (actor.id.empty()) return refuse("the actor has no id in actors.json; model names need one");
  if (!actor.training_data || actor.training_data->count <= 0) {
    return refuse("no training data recorded; scan and sync the actor's images first");
  }
  const TrainingDataRecord& data = *actor.training_data;
  if (!data.synced) return refuse("training data is not synced to S3; run a sync first");
  if (data.s3_urls.empty()) return refuse("training data has no s3_urls; run a sync first");
  if (static_cast<size_t>(data.count) != data.s3_urls.size()) {
    return refuse("training_data says " + std::to_string(data.count) + " images but lists " +
                  std::to_string(data.s3_urls.size()) + " s3_urls; run a sync to repair it");
  }
  std::vector<FieldError> problems = validate(params);
  if (!problems.empty()) return invalid_parameters(problems).with_context(what);
  if (version_number < 1) return Error{ErrorCode::InvalidArgument, what + ": version must be >= 1"};

  TrainingRequest request;
  request.actor_id = actor.id;
  request.version_name = "V" + std::to_string(version_number);
  request.model_name = "actor_" + actor.id + "_" + request.version_name;
  request.request_id = actor.id + "_" + std::to_string(now_unix_ms);
  request.parameters = params;
  request.s3_urls = data.s3_urls;
  std::sort(request.s3_urls.begin(), request.s3_urls.end());
  request.identity = identity;
  request.webhook_url = std::move(webhook_url);
  return request;
}

}  // namespace atr
