#include "core/settings.h"

#include "base/strings.h"

namespace atr {

std::vector<PreviewPrompt> default_preview_prompts() {
  return {
      {"close-up portrait",
       "{trigger}, close-up portrait photo, {face_prompt}, looking at the camera, soft light"},
      {"half body", "{trigger}, half body photo, {description}, wearing {outfit}, natural light"},
      {"profile", "{trigger}, side profile portrait photo, {face_prompt}, plain background"},
      {"full body in a scene",
       "{trigger}, full body photo standing in a city street, wearing {outfit}, {description}"},
  };
}

Result<EndpointProfile> Settings::endpoint(const std::string& name) const {
  const std::string& wanted = name.empty() ? default_endpoint : name;
  std::vector<std::string> names;
  for (const EndpointProfile& profile : endpoints) {
    if (profile.name == wanted) return profile;
    names.push_back(profile.name);
  }
  return Error{ErrorCode::NotFound,
               "no endpoint '" + wanted + "' configured (configured: " + join(names, ", ") + ")"};
}

Result<TrainingParameters> planned_parameters(const Actor& actor, const AutoAdjustPolicy& policy,
                                              const std::vector<ParameterOverride>& overrides) {
  TrainingParameters params = default_parameters(actor);
  // The images that will be trained on are the synced ones, so their count drives auto-adjust.
  if (actor.recorded_images() > 0) {
    Result<TrainingParameters> adjusted = auto_adjust(params, actor.recorded_images(), policy);
    if (!adjusted) return adjusted.error();
    params = std::move(adjusted).value();
  }
  for (const auto& [name, value] : overrides) {
    if (Status set = set_parameter(params, name, value); !set) return set.error();
  }
  return params;
}

}  // namespace atr
