#include <iostream>
#include <map>
#include <optional>
#include <unordered_map>

#include "api/api_json.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/lookup.h"
#include "cli/output.h"
#include "core/training_data_scanner.h"

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

std::string data_cell(const DataSummary& data) {
  if (data.s3_only) return std::to_string(data.recorded) + " in S3 only";
  if (data.usable == 0 && data.excluded == 0) return "-";
  return std::to_string(data.usable) +
         (data.excluded > 0 ? " (+" + std::to_string(data.excluded) + " left out)" : "");
}

// Each actor's summary, scanned once per command (the scan memory makes it cheap after the
// first), so the filter, the facets and the rows agree. Folders are first looked up with one
// listing of the folders above them, so actors without a folder cost no system call.
class Summaries {
 public:
  Summaries(Context& context, const ActorCatalog& catalog)
      : context_(context), absent_(absent_training_folders(catalog.actors(), context.scanner)) {}
  const DataSummary& of(const Actor& actor) {
    auto [it, added] = by_position_.try_emplace(actor.position);
    if (added) {
      it->second =
          data_summary(actor, context_.scanner, context_.settings.limits, absent_[actor.position]);
    }
    return it->second;
  }

 private:
  Context& context_;
  std::vector<bool> absent_;
  std::unordered_map<std::size_t, DataSummary> by_position_;
};

ActorView view_of(const DataSummary& data) {
  ActorView view;
  view.data = data;
  return view;
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
  Summaries data(context, *catalog);
  const ActorSearchResult result =
      catalog->search(query, [&data](const Actor& a) { return data.of(a).has_data(); });
  if (o.json) {
    print_json(actor_list_to_json(*catalog, result,
                                  [&data](const Actor& a) { return view_of(data.of(a)); }));
    return kExitOk;
  }
  Table table({"ID", "NAME", "SEX", "ETHNICITY", "AGE", "IMAGES", "DATA", "MODEL"});
  table.set_max_width(1, 40);
  for (std::size_t index : result.items) {
    const Actor& a = catalog->actors()[index];
    const DataSummary& d = data.of(a);
    table.add_row({a.key(), a.name, a.sex, a.ethnicity, a.age, data_cell(d),
                   d.state == SyncState::NoData ? "-" : std::string(describe(d.state)),
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
  const DataSummary data = data_summary(a, context.scanner, context.settings.limits);
  if (o.json) {
    print_json(actor_to_json(a, view_of(data)));
    return kExitOk;
  }
  Table table({"FIELD", "VALUE"});
  table.set_max_width(1, 100);
  table.add_row({"id", a.id.empty() ? "- (none in the registry; the key is the name)" : a.id});
  table.add_row({"name", a.name});
  table.add_row({"sex", a.sex});
  table.add_row({"ethnicity", a.ethnicity});
  table.add_row({"age", a.age});
  table.add_row({"description", a.description});
  table.add_row({"poster", a.poster_url.empty() ? "-" : a.poster_url});
  Result<std::string> folder = training_folder(a);
  table.add_row({"training folder", folder ? *folder : "- (" + folder.error().message + ")"});
  table.add_row({"training images",
                 data.s3_only
                     ? std::to_string(data.recorded) + " in S3 only (no local copy)"
                     : std::to_string(data.usable) + " usable, " + std::to_string(data.excluded) +
                           " left out, " + std::to_string(data.ignored) + " other files"});
  table.add_row({"sync state", std::string(describe(data.state))});
  if (a.training_data) {
    table.add_row({"recorded in S3", std::to_string(a.training_data->s3_urls.size()) + " URLs" +
                                         (a.training_data->synced ? "" : " (not marked synced)")});
  } else {
    table.add_row({"recorded in S3", "nothing yet"});
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
