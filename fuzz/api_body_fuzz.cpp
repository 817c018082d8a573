// Our API's request bodies: any bytes give a decoded body or an error; parameters that are
// accepted pass the same range checks as the page's and the CLI's.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/request_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  atr::Result<nlohmann::json> doc = atr::parse_body_object(body);
  if (!doc) return 0;
  atr::TrainingParameters params;
  atr::Result<std::vector<atr::ParameterOverride>> overrides = atr::parameter_overrides(*doc);
  if (overrides) {
    for (const auto& [name, value] : *overrides) {
      (void)atr::set_parameter(params, name, value);
    }
    (void)atr::validate(params);
  }
  for (const char* name : {"force", "dry_run", "delete"}) {
    (void)atr::flag_member(*doc, name);
  }
  for (const char* name : {"endpoint", "description", "idempotency_key", "version_name"}) {
    (void)atr::string_member(*doc, name);
  }
  // The batch request and the budget caps.
  (void)atr::int_member(*doc, "concurrency", 1, 16);
  (void)atr::int_member(*doc, "max", 0, 1'000'000);
  (void)atr::string_list_member(*doc, "exclude");
  if (atr::Result<atr::BudgetSettings> budget = atr::budget_of(*doc); budget) {
    (void)budget->all.any();
  }
  return 0;
}
