#include "core/actor.h"

namespace atr {

std::string training_folder(const Actor& actor) {
  if (actor.training_data && !actor.training_data->local_path.empty()) {
    return actor.training_data->local_path;
  }
  return "data/actors/" + actor.name + "/training_data";
}

}  // namespace atr
