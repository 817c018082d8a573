#include "core/actor.h"

namespace atr {

Result<std::string> training_folder(const Actor& actor) {
  if (actor.training_data && !actor.training_data->local_path.empty()) {
    return actor.training_data->local_path;
  }
  // An empty name would collapse to data/actors/training_data, another folder entirely.
  if (actor.name.empty() || actor.name == "." || actor.name == ".." ||
      actor.name.find('/') != std::string::npos) {
    return Error{ErrorCode::InvalidArgument, "actor " + actor.label() +
                                                 " has no training_data.local_path and its name '" +
                                                 actor.name + "' cannot name a folder"};
  }
  return "data/actors/" + actor.name + "/training_data";
}

}  // namespace atr
