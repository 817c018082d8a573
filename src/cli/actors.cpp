#include <iostream>

#include "api/api_json.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/lookup.h"
#include "cli/output.h"

namespace atr::cli {
namespace {

std::string facet_line(const std::map<std::string, std::size_t>& counts) {
  std::vector<std::string> parts;
  parts.reserve(counts.size());
  for (const auto& [value, count] : counts) {
    parts.push_back(value + " " + std::to_string(count));
  }
  return parts.empty() ? "-" : join(parts, ", ");
}

std::string data_cell(const Actor& actor) {
  if (!actor.training_data) return "-";
  return std::to_string(actor.training_data->count);
}

std::string sync_cell(const Actor& actor) {
  if (!actor.has_training_data()) return "-";
  return actor.training_data->synced ? "synced" : "not synced";
}

}  // namespace

int run_actors_list(Context& context, const Options& o) {
  if ((o.has_data && o.without_data) || (o.has_model && o.without_model)) {
    std::cerr << "actor-trainer: error: --has-X and --without-X exclude each other\n";
    return kExitUsage;
  }
  ActorQuery query;
  query.text = o.search;
  query.sex = o.sex;
  query.ethnicity = o.ethnicity;
  if (o.has_data || o.without_data) query.has_data = o.has_data;
  if (o.has_model || o.without_model) query.has_model = o.has_model;
  query.limit = o.limit;
  query.offset = o.offset;

  const std::shared_ptr<const ActorCatalog> catalog = context.registry.catalog();
  const ActorSearchResult result = catalog->search(query);
  if (o.json) {
    print_json(actor_list_to_json(*catalog, result));
    return kExitOk;
  }
  Table table({"ID", "NAME", "SEX", "ETHNICITY", "AGE", "IMAGES", "DATA", "MODEL"});
  table.set_max_width(1, 40);
  for (std::size_t index : result.items) {
    const Actor& a = catalog->actors()[index];
    table.add_row({a.id, a.name, a.sex, a.ethnicity, a.age, data_cell(a), sync_cell(a),
                   a.validated_model ? a.validated_model->version_name : "-"});
  }
  std::cout << table.render();
  const std::size_t first = result.items.empty() ? 0 : o.offset + 1;
  std::cout << "\nshowing " << first << "-" << o.offset + result.items.size() << " of "
            << result.total << " matching actors (" << catalog->actors().size()
            << " in registry)\n";
  std::cout << "sex: " << facet_line(result.facets.sex) << "\n";
  std::cout << "ethnicity: " << facet_line(result.facets.ethnicity) << "\n";
  std::cout << "with training data: " << result.facets.has_data
            << ", with validated model: " << result.facets.has_model << "\n";
  return kExitOk;
}

int run_actors_show(Context& context, const Options& o) {
  Result<FoundActor> found = find_actor(context, o.actor);
  if (!found) return report_error(found.error(), o.json);
  const Actor& a = *found->actor;
  if (o.json) {
    print_json(actor_to_json(a));
    return kExitOk;
  }
  Table table({"FIELD", "VALUE"});
  table.set_max_width(1, 100);
  table.add_row({"id", a.id.empty() ? "-" : a.id});
  table.add_row({"name", a.name});
  table.add_row({"sex", a.sex});
  table.add_row({"ethnicity", a.ethnicity});
  table.add_row({"age", a.age});
  table.add_row({"description", a.description});
  table.add_row({"poster", a.poster_url.empty() ? "-" : a.poster_url});
  Result<std::string> folder = training_folder(a);
  table.add_row({"training folder", folder ? *folder : "- (" + folder.error().message + ")"});
  if (a.training_data) {
    table.add_row({"training images", std::to_string(a.training_data->count)});
    table.add_row({"synced", a.training_data->synced ? "yes" : "no"});
    table.add_row({"s3 urls", std::to_string(a.training_data->s3_urls.size())});
  } else {
    table.add_row({"training data", "none recorded"});
  }
  if (a.validated_model) {
    table.add_row(
        {"validated model", a.validated_model->version_name + " " + a.validated_model->lora_url});
    table.add_row({"marked at", a.validated_model->marked_at});
  } else {
    table.add_row({"validated model", "-"});
  }
  table.add_row({"good", a.good ? "yes" : "no"});
  std::cout << table.render();
  return kExitOk;
}

}  // namespace atr::cli
