#include "core/lifecycle.h"

#include <string>

namespace atr {
namespace {

// How far along a status is; a report may only move a version to a higher rank.
int rank(VersionStatus status) {
  switch (status) {
    case VersionStatus::Pending: return 0;
    case VersionStatus::Queued: return 1;
    case VersionStatus::Training: return 2;
    case VersionStatus::Lost: return 3;
    case VersionStatus::Completed:
    case VersionStatus::Failed:
    case VersionStatus::Cancelled:
    case VersionStatus::TimedOut: return 4;
  }
  return 4;
}

// The status each event points at, wherever it comes from.
VersionStatus target_of(LifecycleEvent event) {
  switch (event) {
    case LifecycleEvent::Accepted:
    case LifecycleEvent::Retried:
    case LifecycleEvent::ReportedQueued: return VersionStatus::Queued;
    case LifecycleEvent::ReportedRunning: return VersionStatus::Training;
    case LifecycleEvent::ReportedCompleted: return VersionStatus::Completed;
    case LifecycleEvent::SubmitRejected:
    case LifecycleEvent::ReportedFailed: return VersionStatus::Failed;
    case LifecycleEvent::Withdrawn:
    case LifecycleEvent::ReportedCancelled: return VersionStatus::Cancelled;
    case LifecycleEvent::ReportedTimedOut: return VersionStatus::TimedOut;
    case LifecycleEvent::ReportedUnknown:
    case LifecycleEvent::GaveUp:
    case LifecycleEvent::Released: return VersionStatus::Lost;
  }
  return VersionStatus::Lost;
}

}  // namespace

std::string_view to_string(VersionStatus status) {
  switch (status) {
    case VersionStatus::Pending: return "pending";
    case VersionStatus::Queued: return "queued";
    case VersionStatus::Training: return "training";
    case VersionStatus::Completed: return "completed";
    case VersionStatus::Failed: return "failed";
    case VersionStatus::Cancelled: return "cancelled";
    case VersionStatus::TimedOut: return "timed_out";
    case VersionStatus::Lost: return "lost";
  }
  return "lost";
}

std::string_view to_string(LifecycleEvent event) {
  switch (event) {
    case LifecycleEvent::Accepted: return "accepted";
    case LifecycleEvent::SubmitRejected: return "submit_rejected";
    case LifecycleEvent::ReportedQueued: return "reported_queued";
    case LifecycleEvent::ReportedRunning: return "reported_running";
    case LifecycleEvent::ReportedCompleted: return "reported_completed";
    case LifecycleEvent::ReportedFailed: return "reported_failed";
    case LifecycleEvent::ReportedCancelled: return "reported_cancelled";
    case LifecycleEvent::ReportedTimedOut: return "reported_timed_out";
    case LifecycleEvent::ReportedUnknown: return "reported_unknown";
    case LifecycleEvent::GaveUp: return "gave_up";
    case LifecycleEvent::Withdrawn: return "withdrawn";
    case LifecycleEvent::Released: return "released";
    case LifecycleEvent::Retried: return "retried";
  }
  return "gave_up";
}

bool is_final(VersionStatus status) {
  return rank(status) >= rank(VersionStatus::Lost);
}

Result<VersionStatus> next_status(VersionStatus from, LifecycleEvent event) {
  // Only our own submission can be refused or withdrawn, and only before RunPod has it.
  if ((event == LifecycleEvent::SubmitRejected || event == LifecycleEvent::Withdrawn) &&
      from != VersionStatus::Pending) {
    return Error{ErrorCode::Conflict,
                 "version is " + std::string(to_string(from)) +
                     "; only an unsent submission can be refused or withdrawn"};
  }
  // Our own conclusion that a job is gone must never override anything RunPod told us.
  if ((event == LifecycleEvent::GaveUp || event == LifecycleEvent::Released) &&
      from != VersionStatus::Pending) {
    return from;
  }
  // A retry is the one way back from a final status: RunPod runs the same job again.
  if (event == LifecycleEvent::Retried) {
    if (from == VersionStatus::Failed || from == VersionStatus::TimedOut) {
      return VersionStatus::Queued;
    }
    return Error{ErrorCode::FailedPrecondition,
                 "version is " + std::string(to_string(from)) +
                     "; only a failed or timed-out job can be retried"};
  }
  const VersionStatus to = target_of(event);
  // "Lost" is our conclusion, not RunPod's: any report that shows the job exists puts the
  // version back under tracking, so a job that costs money is never left unwatched.
  if (from == VersionStatus::Lost && to != VersionStatus::Lost) return to;
  // Forward only: a late IN_QUEUE after IN_PROGRESS, or IN_PROGRESS after COMPLETED (a known
  // RunPod quirk), changes nothing, and a final status never changes.
  return rank(to) > rank(from) ? to : from;
}

}  // namespace atr
