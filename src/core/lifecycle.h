#pragma once

#include <string_view>

#include "base/result.h"

namespace atr {

/// Where a training version stands. Moves forward: pending → queued → training → one of the
/// final states. `lost` is our conclusion that RunPod no longer knows the job; it is the one
/// final status a later RunPod report can replace (see next_status).
enum class VersionStatus {
  Pending,
  Queued,
  Training,
  Completed,
  Failed,
  Cancelled,
  TimedOut,
  Lost
};

/// Something that happened to a version: our submission's outcome, a report from RunPod (by
/// webhook or poll, which look the same here), or our own conclusion.
enum class LifecycleEvent {
  Accepted,           ///< `/run` answered with a job id
  SubmitRejected,     ///< `/run` answered with a definite refusal: no job exists
  ReportedQueued,     ///< RunPod: IN_QUEUE
  ReportedRunning,    ///< RunPod: IN_PROGRESS
  ReportedCompleted,  ///< RunPod: COMPLETED
  ReportedFailed,     ///< RunPod: FAILED
  ReportedCancelled,  ///< RunPod: CANCELLED (also the answer to our /cancel)
  ReportedTimedOut,   ///< RunPod: TIMED_OUT
  ReportedUnknown,    ///< RunPod: 404 for the job id (past its retention)
  GaveUp,             ///< a submission of unknown outcome saw no report within the bounded time
  Withdrawn,          ///< the user aborted a version that was never sent to RunPod
  Released,           ///< the user released a submission of unknown outcome (no job id known)
  Retried,  ///< RunPod took a failed or timed-out job back into its queue (`/retry`, same id)
};

/// Lowercase wire names: "pending", "queued", "training", "completed", "failed", "cancelled",
/// "timed_out", "lost".
std::string_view to_string(VersionStatus status);
std::string_view to_string(LifecycleEvent event);

/// True for completed, failed, cancelled, timed_out and lost.
bool is_final(VersionStatus status);

/// The status a version moves to when `event` happens in `from`. Reports that arrive late,
/// twice or out of order leave the status as it is (they are not errors: webhooks are retried
/// and polls race them). `lost` is our conclusion, so any RunPod report that shows the job
/// exists replaces it: a job that costs money is never left untracked.
/// Conflict only for events that cannot happen in `from` (a refusal after an acceptance).
/// Pure: the whole lifecycle is checked by one table test.
Result<VersionStatus> next_status(VersionStatus from, LifecycleEvent event);

}  // namespace atr
