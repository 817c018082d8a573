#include "core/version.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

Version queued_version() {
  Version v;
  v.id = 1;
  v.name = "V3";
  v.job_id = "0f8b2a4c-1111-4222-8333-444455556666-u1";
  v.submit_state = SubmitState::Accepted;
  v.status = VersionStatus::Queued;
  return v;
}

JobReport report(LifecycleEvent event, std::string raw) {
  JobReport r;
  r.source = ReportSource::Webhook;
  r.job_id = "0f8b2a4c-1111-4222-8333-444455556666-u1";
  r.event = event;
  r.raw_status = std::move(raw);
  return r;
}

TEST(JobKeyTest, IgnoresTheRegionSuffixOnEitherSide) {
  const std::string base = "0f8b2a4c-1111-4222-8333-444455556666";
  EXPECT_EQ(job_key(base + "-u1"), base);
  EXPECT_EQ(job_key(base + "-e1"), base);
  EXPECT_EQ(job_key(base + "-22"), base);
  EXPECT_EQ(job_key(base), base);
  EXPECT_EQ(job_key("sync-abc"), "sync-abc");  // other shapes stay opaque
}

TEST(ApplyReportTest, CompletionTakesResultsAndPricesTheExecution) {
  Version v = queued_version();
  JobReport r = report(LifecycleEvent::ReportedCompleted, "COMPLETED");
  r.execution_ms = 100'000;
  r.delay_ms = 2'000;
  r.lora_url = "https://x/actor_0006_V3.safetensors";
  r.model_size_bytes = 1234;
  const ReportEffect effect = apply_report(v, r, 0.001, 5'000);
  EXPECT_TRUE(effect.changed);
  EXPECT_EQ(v.status, VersionStatus::Completed);
  EXPECT_EQ(v.lora_url, "https://x/actor_0006_V3.safetensors");
  ASSERT_TRUE(v.cost.has_value());
  EXPECT_DOUBLE_EQ(*v.cost, 0.1);
  EXPECT_EQ(v.finished_at, 5'000);
  ASSERT_FALSE(effect.lines.empty());
  EXPECT_EQ(effect.lines.back().kind, LogKind::Success);
}

TEST(ApplyReportTest, WebhookReplayChangesNothing) {
  Version v = queued_version();
  JobReport r = report(LifecycleEvent::ReportedCompleted, "COMPLETED");
  r.lora_url = "https://x/a.safetensors";
  ASSERT_TRUE(apply_report(v, r, 0.0, 1'000).changed);
  const Version after_first = v;
  const ReportEffect again = apply_report(v, r, 0.0, 2'000);
  EXPECT_FALSE(again.changed);
  EXPECT_TRUE(again.lines.empty());
  EXPECT_EQ(v, after_first);
}

TEST(ApplyReportTest, LateProgressAfterCompletionDoesNotUndoIt) {
  Version v = queued_version();
  ASSERT_TRUE(
      apply_report(v, report(LifecycleEvent::ReportedCompleted, "COMPLETED"), 0, 1).changed);
  JobReport late = report(LifecycleEvent::ReportedRunning, "IN_PROGRESS");
  late.progress = TrainingProgress{.stage = "training", .step = 10, .total_steps = 20};
  late.progress->text = "late";
  EXPECT_FALSE(apply_report(v, late, 0, 2).changed);
  EXPECT_EQ(v.status, VersionStatus::Completed);
  EXPECT_FALSE(v.progress.has_value());
}

TEST(ApplyReportTest, ProgressGivesPercentAndEta) {
  Version v = queued_version();
  JobReport running = report(LifecycleEvent::ReportedRunning, "IN_PROGRESS");
  ASSERT_TRUE(apply_report(v, running, 0, 10'000).changed);
  EXPECT_EQ(v.started_at, 10'000);
  running.progress = TrainingProgress{.stage = "training", .step = 500, .total_steps = 2000};
  running.progress->text = "step 500/2000";
  ASSERT_TRUE(apply_report(v, running, 0, 60'000).changed);
  ASSERT_TRUE(v.progress && v.progress->percent && v.progress->eta_seconds);
  EXPECT_DOUBLE_EQ(*v.progress->percent, 25.0);
  // 500 steps in 50 s: 0.1 s/step, 1500 steps left.
  EXPECT_EQ(*v.progress->eta_seconds, 150);
}

TEST(CurveTest, EachNewProgressReportIsAPointAndTheCurveSurvivesCompletion) {
  Version v = queued_version();
  v.parameters.max_train_steps = 2000;
  JobReport running = report(LifecycleEvent::ReportedRunning, "IN_PROGRESS");
  ASSERT_TRUE(apply_report(v, running, 0, 10'000).changed);
  for (int i = 1; i <= 5; ++i) {
    running.progress = TrainingProgress{
        .stage = "training", .step = i * 100, .total_steps = 2000, .loss = 0.3 - 0.01 * i};
    running.progress->text = "step " + std::to_string(i * 100);
    apply_report(v, running, 0, 10'000 + i * 1'000);
    apply_report(v, running, 0, 10'500 + i * 1'000);  // the same report again: no new point
  }
  ASSERT_EQ(v.curve.size(), 5U);
  EXPECT_EQ(v.curve.front(), (CurvePoint{100, 0.29, 11'000}));
  EXPECT_EQ(v.curve.back().step, 500);
  // 400 steps between the first and the last point, 4 s apart.
  ASSERT_TRUE(steps_per_second(v).has_value());
  EXPECT_DOUBLE_EQ(*steps_per_second(v), 100.0);
  JobReport done = report(LifecycleEvent::ReportedCompleted, "COMPLETED");
  done.execution_ms = 40'000;
  ASSERT_TRUE(apply_report(v, done, 0, 60'000).changed);
  EXPECT_EQ(v.curve.size(), 5U);
  ASSERT_TRUE(final_loss(v).has_value());
  EXPECT_DOUBLE_EQ(*final_loss(v), 0.25);
  // Completed: the whole training's steps over RunPod's execution time.
  EXPECT_DOUBLE_EQ(*steps_per_second(v), 50.0);
}

TEST(CurveTest, ALongTrainingIsThinnedInItsOlderPartOnly) {
  std::vector<CurvePoint> curve;
  for (long long step = 1; step <= 5'000; ++step) {
    add_curve_point(curve, {step, 1.0 / static_cast<double>(step), step * 10});
    ASSERT_LE(curve.size(), kMaxCurvePoints);
  }
  EXPECT_EQ(curve.front().step, 1);  // the start of the curve stays
  EXPECT_EQ(curve.back().step, 5'000);
  // The newest quarter is at full detail: consecutive steps.
  const size_t newest = kMaxCurvePoints / 4;
  for (size_t i = curve.size() - newest; i < curve.size(); ++i) {
    EXPECT_EQ(curve[i].step, curve[i - 1].step + 1);
  }
  for (size_t i = 1; i < curve.size(); ++i) {
    ASSERT_LT(curve[i - 1].step, curve[i].step);  // still in order, nothing repeated
  }
  EXPECT_GT(curve.size(), kMaxCurvePoints / 2);
}

TEST(ApplyReportTest, LostOnlyAfterTheSecond404InARow) {
  Version v = queued_version();
  JobReport gone = report(LifecycleEvent::ReportedUnknown, "HTTP 404");
  gone.source = ReportSource::Poll;
  apply_report(v, gone, 0, 1);
  EXPECT_EQ(v.status, VersionStatus::Queued);
  apply_report(v, report(LifecycleEvent::ReportedQueued, "IN_QUEUE"), 0, 2);
  EXPECT_EQ(v.not_found_count, 0);  // an answer in between resets the count
  apply_report(v, gone, 0, 3);
  apply_report(v, gone, 0, 4);
  EXPECT_EQ(v.status, VersionStatus::Lost);
  // A later webhook proves the job exists: tracking resumes and the result is kept.
  JobReport done = report(LifecycleEvent::ReportedCompleted, "COMPLETED");
  done.lora_url = "https://x/late.safetensors";
  apply_report(v, done, 0, 5);
  EXPECT_EQ(v.status, VersionStatus::Completed);
  EXPECT_EQ(v.lora_url, "https://x/late.safetensors");
}

TEST(ApplyReportTest, RequestIdMatchGivesAnUnknownSubmissionItsJob) {
  Version v = queued_version();
  v.job_id.clear();
  v.status = VersionStatus::Pending;
  v.submit_state = SubmitState::Unknown;
  JobReport r = report(LifecycleEvent::ReportedCompleted, "COMPLETED");
  r.job_id = "0f8b2a4c-1111-4222-8333-444455556666-e1";
  apply_report(v, r, 0, 1);
  EXPECT_EQ(v.job_id, r.job_id);
  EXPECT_EQ(v.submit_state, SubmitState::Accepted);
  EXPECT_EQ(v.status, VersionStatus::Completed);
}

TEST(CompareParametersTest, AnImportedVersionIsNotComparedWithDefaultsItNeverHad) {
  Version ours;
  ours.name = "V8";
  Version imported;
  imported.name = "V7";
  imported.actor_id = "6";
  imported.imported = true;
  EXPECT_TRUE(compare_versions(ours, ours));
  for (const auto& [left, right] : {std::pair{&ours, &imported}, std::pair{&imported, &ours}}) {
    auto refused = compare_versions(*left, *right);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::FailedPrecondition);
    EXPECT_NE(refused.error().message.find("V7 of actor 6 was imported"), std::string::npos);
  }
}

TEST(CompareParametersTest, MarksOnlyDifferentValues) {
  TrainingParameters a;
  TrainingParameters b;
  b.learning_rate = 0.0003;
  const auto rows = compare_parameters(a, b);
  int differing = 0;
  for (const ParameterDiff& row : rows) {
    if (row.differs) {
      ++differing;
      EXPECT_EQ(row.name, "learning_rate");
      EXPECT_EQ(row.left, "0.0004");
      EXPECT_EQ(row.right, "0.0003");
    }
  }
  EXPECT_EQ(differing, 1);
  EXPECT_EQ(rows.size(), parameter_values(a).size());
}

TEST(LearnedSpeedTest, MedianOnceThreeCompletedJobsExist) {
  auto done = [](std::int64_t ms, int steps) {
    Version v;
    v.status = VersionStatus::Completed;
    v.execution_ms = ms;
    v.parameters.max_train_steps = steps;
    return v;
  };
  EXPECT_FALSE(learned_seconds_per_step({done(2000'000, 1000), done(3000'000, 1000)}));
  Version failed = done(1'000, 1000);
  failed.status = VersionStatus::Failed;
  EXPECT_FALSE(learned_seconds_per_step({done(2000'000, 1000), done(3000'000, 1000), failed}));
  const auto speed =
      learned_seconds_per_step({done(2000'000, 1000), done(3000'000, 1000), done(1000'000, 1000)});
  ASSERT_TRUE(speed);
  EXPECT_DOUBLE_EQ(*speed, 2.0);
}

TEST(NamesTest, StatusSubmitStateAndLogKindRoundTrip) {
  for (VersionStatus s : {VersionStatus::Pending, VersionStatus::TimedOut, VersionStatus::Lost}) {
    EXPECT_EQ(parse_version_status(to_string(s)), s);
  }
  EXPECT_EQ(parse_submit_state("unknown"), SubmitState::Unknown);
  EXPECT_EQ(parse_log_kind("response"), LogKind::Response);
  EXPECT_FALSE(parse_log_kind("debug"));
}

TEST(StallNoteTest, AJobAtItsLastStepThatStopsChangingIsStalledWithWhatIsKnown) {
  // RunPod may report IN_PROGRESS again after the end (runpod-python #250); with no webhook the
  // version stayed `training` with nothing said.
  Version v = queued_version();
  v.status = VersionStatus::Training;
  v.updated_at = 1'000'000;
  v.progress = TrainingProgress{.step = 2000, .total_steps = 2000};
  EXPECT_FALSE(stall_note(v, 1'000'000 + 899'000, 900));  // not yet quiet for long enough
  std::optional<std::string> note = stall_note(v, 1'000'000 + 901'000, 900);
  ASSERT_TRUE(note);
  EXPECT_NE(note->find("reached its last step (2000/2000)"), std::string::npos) << *note;
  EXPECT_NE(note->find("no webhook came"), std::string::npos);
  EXPECT_NE(note->find(v.job_id), std::string::npos);
  v.progress->step = 1200;  // still on its way: a slow step is not a stall
  EXPECT_FALSE(stall_note(v, 1'000'000 + 5'000'000, 900));
  v.progress->step = 2000;
  v.status = VersionStatus::Completed;
  EXPECT_FALSE(stall_note(v, 1'000'000 + 5'000'000, 900));
}

TEST(StallNoteTest, TheNextChangeClearsARecordedStall) {
  Version v = queued_version();
  v.status = VersionStatus::Training;
  v.progress = TrainingProgress{.step = 2000, .total_steps = 2000};
  v.stall_note = "stalled: …";
  JobReport done;
  done.job_id = v.job_id;
  done.raw_status = "COMPLETED";
  done.event = LifecycleEvent::ReportedCompleted;
  done.execution_ms = 9000;
  ASSERT_TRUE(apply_report(v, done, 0.001, 2'000'000).changed);
  EXPECT_EQ(v.status, VersionStatus::Completed);
  EXPECT_TRUE(v.stall_note.empty());
}

TEST(JobTtlTest, TheConfiguredLifespanOrThreeTimesTheEstimateWithinRunpodsBounds) {
  EXPECT_EQ(job_ttl_ms(2400.0, 21'600), 21'600'000);    // 40 min: the configured 6 h
  EXPECT_EQ(job_ttl_ms(10'000.0, 21'600), 30'000'000);  // 2 h 47 min: three times that
  EXPECT_EQ(job_ttl_ms(400'000.0, 21'600), kRunpodMaxTtlMs);
  EXPECT_EQ(job_ttl_ms(0.0, 1), kRunpodMinTtlMs);
}

TEST(JobTtlTest, AnUnknownSubmissionBlocksUntilRunpodHasDeletedItsJob) {
  Version v = queued_version();
  v.submitted_at = std::nullopt;
  EXPECT_FALSE(unknown_submission_deadline(v, 0));  // never sent: nothing to wait for
  v.submitted_at = 1'000'000;
  v.job_ttl_ms = 21'600'000;
  EXPECT_EQ(unknown_submission_deadline(v, 0), 1'000'000 + 21'600'000 + 600'000);
  EXPECT_EQ(unknown_submission_deadline(v, 30'000), 1'000'000 + 30'000'000);
  // A longer version ttl wins over a shorter explicit limit.
  EXPECT_EQ(unknown_submission_deadline(v, 60), 1'000'000 + 21'600'000);
  // Sent before the ttl was sent: RunPod's 24 h default holds.
  v.job_ttl_ms = std::nullopt;
  EXPECT_EQ(unknown_submission_deadline(v, 0), 1'000'000 + 86'400'000 + 600'000);
}

}  // namespace
}  // namespace atr
