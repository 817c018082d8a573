#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/budget.h"
#include "core/version.h"

namespace atr {

/// What a new version starts from; the store adds its number inside the transaction.
struct NewVersion {
  std::string actor_id;
  std::string idempotency_key;  ///< empty: none; a repeat returns the first version
  bool force = false;           ///< allow a second active training of the same actor
};

/// The outcome of creating a version.
struct CreatedVersion {
  Version version;
  bool created = false;  ///< false: the idempotency key was seen; `version` is the first one
};

/// Where a report went.
struct ReportOutcome {
  std::int64_t version_id = 0;  ///< 0: no version matches the job or request id
  bool changed = false;
  bool duplicate_webhook = false;  ///< the same webhook (job id and status) was seen before
  /// The report was a hint to confirm with RunPod's /status for the report's job id (see
  /// ReportEffect::confirm); nothing of it was stored.
  bool needs_confirmation = false;
};

/// The durable record of versions, console lines, idempotency keys and webhook receipts.
/// store/ implements it on SQLite. Every method is one transaction, safe to call from several
/// threads and several processes on the same workspace.
class VersionStore {
 public:
  virtual ~VersionStore() = default;

  /// Builds the version for the next number with `make(number)` and inserts it, with `lines`,
  /// in one transaction: a repeated idempotency key returns the version it created; another
  /// unfinished version of the actor is a Conflict unless `force`.
  using MakeVersion = std::function<Result<Version>(int number)>;
  [[nodiscard]] virtual Result<CreatedVersion> create(const NewVersion& request,
                                                      const MakeVersion& make,
                                                      const std::vector<LogEntry>& lines) = 0;

  /// Records versions trained elsewhere (`Version::imported`, final status, numbers given), in
  /// one transaction. Per item: the row id of the new row, or of the stored version that
  /// already has this actor, number and model name (nothing changes); 0 when the actor's
  /// number or the model name is taken by another version (left as it is).
  [[nodiscard]] virtual Result<std::vector<std::int64_t>> import_versions(
      const std::vector<Version>& versions) = 0;

  /// The version with row id `id`; NotFound otherwise.
  [[nodiscard]] virtual Result<Version> get(std::int64_t id) const = 0;
  /// Every version of one actor, oldest first.
  [[nodiscard]] virtual Result<std::vector<Version>> list_for_actor(
      const std::string& actor_id) const = 0;
  /// The newest version (highest number) of every actor that has one.
  [[nodiscard]] virtual Result<std::vector<Version>> latest_per_actor() const = 0;
  /// The version a submission with idempotency key `key` created, if one did.
  [[nodiscard]] virtual Result<std::optional<Version>> find_by_key(
      const std::string& key) const = 0;
  /// Every version, oldest first (the analytics).
  [[nodiscard]] virtual Result<std::vector<Version>> list_all() const = 0;
  /// One entry per training version trained here and per preview: what it cost, whether it
  /// finished, its estimate (`running` left 0: see price_running).
  [[nodiscard]] virtual Result<std::vector<SpendEntry>> spend_entries() const = 0;
  /// Every version that is not final, oldest first: what the poller tracks.
  [[nodiscard]] virtual Result<std::vector<Version>> list_unfinished() const = 0;
  /// Completed versions that ran on `endpoint_name`, newest first, at most `limit`.
  [[nodiscard]] virtual Result<std::vector<Version>> list_completed(
      const std::string& endpoint_name, int limit) const = 0;

  /// Changes one version as it is stored now. `change` edits it and returns the lines to log,
  /// or nothing to leave the row untouched; it may run more than once, so it must be pure.
  using Change = std::function<std::optional<std::vector<LogEntry>>(Version&)>;
  [[nodiscard]] virtual Result<Version> update(std::int64_t id, const Change& change) = 0;

  /// Applies each report to its version (matched by job id, ignoring a region suffix, else
  /// by request id) in one transaction, recording webhook receipts. `apply` is the pure
  /// lifecycle step.
  using ApplyReport = std::function<ReportEffect(Version&, const JobReport&)>;
  [[nodiscard]] virtual Result<std::vector<ReportOutcome>> apply_reports(
      const std::vector<JobReport>& reports, const ApplyReport& apply) = 0;

  /// Appends console lines to a version.
  virtual Status append_log(std::int64_t version_id, const std::vector<LogEntry>& lines) = 0;
  /// Console lines of one version (0: of all versions) after sequence number `after`.
  [[nodiscard]] virtual Result<std::vector<LogLine>> logs(std::int64_t version_id,
                                                          std::int64_t after, int limit) const = 0;

  /// The sequence number of the newest console line of any version (0: none yet).
  [[nodiscard]] virtual Result<std::int64_t> last_log_seq() const = 0;

  /// Marks `version_id` as the actor's good version and clears any other; 0 clears all.
  virtual Status set_good(const std::string& actor_id, std::int64_t version_id) = 0;

  /// The budget caps set from the page (they replace actor-trainer.toml's `[budget]`);
  /// nothing when none were set.
  [[nodiscard]] virtual Result<std::optional<BudgetSettings>> stored_budget() const = 0;
  /// Stores `budget` as the caps set from the page; nothing: back to the file's caps.
  virtual Status store_budget(const std::optional<BudgetSettings>& budget) = 0;

  /// The stored value of `key`, created by `make()` in the same transaction when absent: the
  /// webhook token is generated once per workspace this way.
  [[nodiscard]] virtual Result<std::string> get_or_create_setting(
      const std::string& key, const std::function<std::string()>& make) = 0;
};

}  // namespace atr
