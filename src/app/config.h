#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret.h"
#include "core/settings.h"

namespace atr {

/// The credentials the product uses. Kept apart from Settings so they cannot leak into
/// anything that is printed or serialized.
struct Secrets {
  Secret runpod_api_key;
  Secret aws_access_key_id;
  Secret aws_secret_access_key;
  Secret ngrok_authtoken;
};

/// Settings plus secrets, as read for one workspace.
struct Config {
  Settings settings;
  Secrets secrets;
};

/// Reads configuration with this precedence: process environment, then `<workspace>/.env`,
/// then `<workspace>/actor-trainer.toml`, then built-in defaults. Unknown keys in the TOML
/// file are errors (a typo must not silently fall back to a default). `environment` is the
/// process environment as a map (passed in so tests control it).
Result<Config> load_config(const std::filesystem::path& workspace,
                           const std::map<std::string, std::string>& environment);

/// Parses `.env` text: KEY=VALUE lines, `#` comments, optional `export `, single or double
/// quotes around the value. InvalidArgument naming the line for anything else.
Result<std::map<std::string, std::string>> parse_dotenv(std::string_view text);

/// Applies the text of an actor-trainer.toml file to `settings` (what load_config does with
/// the file; exposed for the fuzzer). `source` names the file in errors. InvalidArgument
/// naming the key, or the line and column, for anything it does not accept.
Status parse_toml_settings(std::string_view text, const std::string& source, Settings& settings);

/// The process environment as a map.
std::map<std::string, std::string> process_environment();

}  // namespace atr
