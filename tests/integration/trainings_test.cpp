// The training use cases (core/trainings.cpp) over the real SQLite store and the real
// actors.json registry, with a scripted RunPod backend and a manual clock: the error paths a
// user can hit, without any network.

#include "core/trainings.h"

#include <gtest/gtest.h>

#include "registry/json_file_actor_registry.h"
#include "store/sqlite_version_store.h"
#include "support/fakes.h"
#include "support/temp_dir.h"

namespace atr {
namespace {

JobReport report(const std::string& status, LifecycleEvent event) {
  JobReport r;
  r.job_id = "job-1";
  r.raw_status = status;
  r.event = event;
  return r;
}

class TrainingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("actors.json", R"([
  {"id": "0006", "name": "0006_european_20_female", "note": "kept",
   "training_data": {"s3_urls": ["s3://b/a.jpg", "s3://b/b.jpg"], "local_path": "x",
                     "count": 2, "synced": true}}
]
)");
    auto registry = JsonFileActorRegistry::open(dir_.path() / "actors.json",
                                                dir_.path() / ".actor-trainer" / "actors.lock");
    ASSERT_TRUE(registry);
    registry_ = std::move(registry).value();
    auto store = SqliteVersionStore::open(dir_.path() / ".actor-trainer" / "state.db");
    ASSERT_TRUE(store);
    store_ = std::move(store).value();
    settings_.endpoints = {
        EndpointProfile{.name = "default", .endpoint_id = "ep", .price_per_second = 0.001}};
    settings_.default_endpoint = "default";
    settings_.has_runpod_api_key = true;
    // The folder holds the two recorded images, unchanged since their sync.
    scanner_.files = {testing::scanned_image("a.jpg", "md5-a", "md5-a"),
                      testing::scanned_image("b.jpg", "md5-b", "md5-b")};
    trainings_ =
        std::make_unique<Trainings>(*registry_, scanner_, *store_, backend_, clock_, settings_,
                                    [] { return std::optional<std::string>(); });
  }

  const Actor& actor() { return registry_->catalog()->actors().front(); }

  TrainingOrder order(const std::string& key = "") {
    TrainingOrder o;
    o.idempotency_key = key;
    return o;
  }

  testing::TempDir dir_;
  std::unique_ptr<JsonFileActorRegistry> registry_;
  std::unique_ptr<SqliteVersionStore> store_;
  testing::FakeScanner scanner_;
  testing::ScriptedBackend backend_;
  testing::ManualClock clock_;
  Settings settings_;
  std::unique_ptr<Trainings> trainings_;
};

TEST_F(TrainingsTest, WithoutRunpodCredentialsNothingIsStoredOrSent) {
  settings_.has_runpod_api_key = false;
  auto started = trainings_->start(actor(), order());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::FailedPrecondition);
  EXPECT_NE(started.error().message.find("RUNPOD_API_KEY"), std::string::npos);
  EXPECT_TRUE(store_->list_for_actor("0006")->empty());
  EXPECT_EQ(backend_.submit_calls, 0);
}

TEST_F(TrainingsTest, PresignedUrlsWithoutAnS3StoreAreRefusedBeforeAnythingIsStored) {
  settings_.presigned_urls = true;
  auto started = trainings_->start(actor(), order());
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::FailedPrecondition);
  EXPECT_NE(started.error().message.find("presigned_urls"), std::string::npos);
  EXPECT_TRUE(store_->list_for_actor("0006")->empty());
  EXPECT_EQ(backend_.submit_calls, 0);
}

TEST_F(TrainingsTest, BrokenWorkflowStoresNothing) {
  backend_.render_fails = true;
  EXPECT_FALSE(trainings_->start(actor(), order()));
  EXPECT_TRUE(store_->list_for_actor("0006")->empty());
}

TEST_F(TrainingsTest, RefusedRunFailsTheVersionWithTheAnswer) {
  backend_.submits.push_back({SubmitOutcome::Kind::Rejected, "", "/run: HTTP 401: unauthorized"});
  auto started = trainings_->start(actor(), order());
  ASSERT_TRUE(started);
  EXPECT_EQ(started->version.status, VersionStatus::Failed);
  EXPECT_EQ(started->version.submit_state, SubmitState::Rejected);
  EXPECT_EQ(started->version.error, "/run: HTTP 401: unauthorized");
  // A failed version is final, so a new training may start.
  clock_.at += std::chrono::seconds(1);
  backend_.submits.push_back({SubmitOutcome::Kind::Accepted, "job-2", "ok"});
  auto second = trainings_->start(actor(), order());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->version.name, "V2");
}

TEST_F(TrainingsTest, RepeatedKeyReturnsTheFirstVersionAndSendsNothing) {
  backend_.submits.push_back({SubmitOutcome::Kind::Accepted, "job-1", "ok"});
  auto first = trainings_->start(actor(), order("k"));
  auto again = trainings_->start(actor(), order("k"));
  ASSERT_TRUE(first && again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->version.id, first->version.id);
  EXPECT_EQ(backend_.submit_calls, 1);
}

TEST_F(TrainingsTest, UnknownSubmissionIsNeverResentAndIsLostOnlyAfterItsTtl) {
  backend_.submits.push_back({SubmitOutcome::Kind::Unknown, "", "/run: no answer: timeout"});
  auto started = trainings_->start(actor(), order());
  ASSERT_TRUE(started);
  EXPECT_EQ(started->version.submit_state, SubmitState::Unknown);
  // The /run carried the lifespan after which RunPod deletes the job in any state.
  ASSERT_TRUE(backend_.last_request);
  EXPECT_EQ(backend_.last_request->ttl_ms, 6 * 3600 * 1000);
  EXPECT_EQ(started->version.job_ttl_ms, 6 * 3600 * 1000);
  const std::int64_t id = started->version.id;
  EXPECT_EQ(trainings_->check(id, Retries::None)->status, VersionStatus::Pending);
  // Until the ttl and 10 minutes for a late webhook have passed, the job may still run.
  clock_.at += std::chrono::seconds(6 * 3600 + 599);
  EXPECT_EQ(trainings_->check(id, Retries::None)->status, VersionStatus::Pending);
  clock_.at += std::chrono::seconds(2);
  const Result<Version> lost = trainings_->check(id, Retries::None);
  EXPECT_EQ(lost->status, VersionStatus::Lost);
  // Only what was observed: no claim that RunPod forgot a job it never named.
  EXPECT_NE(lost->error.find("submission unknown: RunPod may have started it"), std::string::npos)
      << lost->error;
  EXPECT_EQ(lost->error.find("no longer knows"), std::string::npos);
  EXPECT_EQ(backend_.submit_calls, 1);
  EXPECT_EQ(backend_.status_calls, 0);
}

TEST_F(TrainingsTest, AJobThatSitsAtItsLastStepIsRecordedStalledUntilItMoves) {
  // RunPod can say IN_PROGRESS again after the end (runpod-python #250) and no webhook come.
  backend_.submits.push_back({SubmitOutcome::Kind::Accepted, "job-1", "{}"});
  auto started = trainings_->start(actor(), order());
  ASSERT_TRUE(started);
  const std::int64_t id = started->version.id;
  JobReport at_end = report("IN_PROGRESS", LifecycleEvent::ReportedRunning);
  at_end.progress = TrainingProgress{.step = 2400, .total_steps = 2400, .text = "2400/2400"};
  for (int i = 0; i < 4; ++i) {
    backend_.statuses.push_back(at_end);
  }
  ASSERT_EQ(trainings_->check(id, Retries::None)->status, VersionStatus::Training);
  clock_.at += std::chrono::seconds(899);
  EXPECT_TRUE(trainings_->check(id, Retries::None)->stall_note.empty());
  clock_.at += std::chrono::seconds(2);
  const Result<Version> stalled = trainings_->check(id, Retries::None);
  ASSERT_TRUE(stalled);
  EXPECT_EQ(stalled->status, VersionStatus::Training);
  EXPECT_NE(stalled->stall_note.find("reached its last step (2400/2400)"), std::string::npos)
      << stalled->stall_note;
  EXPECT_NE(stalled->stall_note.find("job job-1"), std::string::npos);
  // Recorded once: a further quiet check adds no second warning.
  clock_.at += std::chrono::seconds(60);
  ASSERT_TRUE(trainings_->check(id, Retries::None));
  int warnings = 0;
  const Result<std::vector<LogLine>> lines = store_->logs(id, 0, 1000);
  ASSERT_TRUE(lines);
  for (const LogLine& line : *lines) {
    warnings += line.kind == LogKind::Warning && line.text.rfind("stalled:", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(warnings, 1);
  // The end, seen at last, clears it.
  JobReport done = report("COMPLETED", LifecycleEvent::ReportedCompleted);
  done.execution_ms = 1000;
  done.lora_url = "s3://b/actor_0006_V1.safetensors";
  backend_.statuses.push_back(done);
  const Result<Version> completed = trainings_->check(id, Retries::None);
  EXPECT_EQ(completed->status, VersionStatus::Completed);
  EXPECT_TRUE(completed->stall_note.empty());
}

TEST_F(TrainingsTest, ALongTrainingIsSentWithThreeTimesItsEstimateAsTtl) {
  settings_.endpoints[0].seconds_per_step = 20.0;  // a slow GPU: hours, not minutes
  const TrainingOrder slow = order();
  const double expected =
      estimate(*trainings_->parameters_for(actor(), slow), settings_.endpoints[0], {})
          .duration_seconds;
  ASSERT_GT(3 * expected, 6 * 3600);
  backend_.submits.push_back({SubmitOutcome::Kind::Accepted, "job-1", "{}"});
  auto started = trainings_->start(actor(), slow);
  ASSERT_TRUE(started) << started.error().message;
  ASSERT_TRUE(backend_.last_request);
  EXPECT_EQ(backend_.last_request->ttl_ms, static_cast<std::int64_t>(3 * expected * 1000));
}

TEST_F(TrainingsTest, AnUnknownSubmissionBlocksWithItsReasonAndAbortReleasesIt) {
  backend_.submits.push_back({SubmitOutcome::Kind::Unknown, "", "/run: no answer: timeout"});
  auto started = trainings_->start(actor(), order());
  ASSERT_TRUE(started);
  const std::int64_t id = started->version.id;
  // The next training is refused, and the refusal says why and what to do.
  auto second = trainings_->start(actor(), order());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::Conflict);
  EXPECT_NE(second.error().message.find("V1's submission is unknown"), std::string::npos)
      << second.error().message;
  EXPECT_NE(second.error().message.find("abort releases it"), std::string::npos);
  TrainingDataReport synced;
  synced.sync = SyncState::Synced;
  auto blockers = trainings_->blockers(actor(), "", synced);
  ASSERT_TRUE(blockers);
  ASSERT_EQ(blockers->size(), 1u);
  EXPECT_EQ(blockers->front().code, "active_training");
  EXPECT_EQ(blockers->front().version_id, id);
  // Abort releases it: it cannot be cancelled (no job id), so it is kept as lost with the
  // request id, stops blocking, and a webhook naming it still lands.
  auto released = trainings_->abort(id);
  ASSERT_TRUE(released) << released.error().message;
  EXPECT_EQ(released->status, VersionStatus::Lost);
  EXPECT_NE(released->error.find("released by the user"), std::string::npos);
  EXPECT_EQ(backend_.cancel_calls, 0);
  EXPECT_TRUE(trainings_->blockers(actor(), "", synced)->empty());
  JobReport late = report("COMPLETED", LifecycleEvent::ReportedCompleted);
  late.request_id = released->request_id;
  late.execution_ms = 4000;
  late.lora_url = "https://x/actor_0006_V1.safetensors";
  ASSERT_TRUE(trainings_->ingest({late}));
  const Result<Version> landed = store_->get(id);
  EXPECT_EQ(landed->status, VersionStatus::Completed);
  EXPECT_TRUE(landed->error.empty());
  EXPECT_DOUBLE_EQ(*landed->cost, 0.004);
}

TEST_F(TrainingsTest, ConfigurationRefusalsNameTheRealCause) {
  TrainingDataReport synced;
  synced.sync = SyncState::Synced;
  settings_.endpoints.push_back(EndpointProfile{.name = "h100", .endpoint_id = ""});
  auto no_id = trainings_->start(actor(), [&] {
    TrainingOrder o = order();
    o.endpoint = "h100";
    return o;
  }());
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().message,
            "train 0006: endpoint 'h100' has no RunPod endpoint id: set `id` in its "
            "[[runpod.endpoints]] table of actor-trainer.toml");
  EXPECT_EQ(trainings_->blockers(actor(), "h100", synced)->front().code, "endpoint_id");
  EXPECT_TRUE(trainings_->blockers(actor(), "default", synced)->empty());
  settings_.has_runpod_api_key = false;
  auto codes = trainings_->blockers(actor(), "h100", synced);
  ASSERT_EQ(codes->size(), 2u);
  EXPECT_EQ((*codes)[0].code, "runpod_api_key");
  EXPECT_EQ((*codes)[1].code, "endpoint_id");
  EXPECT_EQ(backend_.submit_calls, 0);
}

TEST_F(TrainingsTest, AbortOfARunningJobPicksUpItsExecutionTimeAndCost) {
  backend_.submits.push_back({SubmitOutcome::Kind::Accepted, "job-1", "ok"});
  auto started = trainings_->start(actor(), order());
  ASSERT_TRUE(started);
  backend_.statuses.push_back(report("IN_PROGRESS", LifecycleEvent::ReportedRunning));
  ASSERT_EQ(trainings_->check(started->version.id, Retries::None)->status, VersionStatus::Training);
  // RunPod's answer to /cancel has no execution time; the job's status afterwards does.
  backend_.cancels.push_back(report("CANCELLED", LifecycleEvent::ReportedCancelled));
  JobReport after = report("CANCELLED", LifecycleEvent::ReportedCancelled);
  after.execution_ms = 4000;
  backend_.statuses.push_back(after);
  auto aborted = trainings_->abort(started->version.id);
  ASSERT_TRUE(aborted) << aborted.error().message;
  EXPECT_EQ(aborted->status, VersionStatus::Cancelled);
  EXPECT_EQ(aborted->execution_ms, 4000);
  EXPECT_DOUBLE_EQ(*aborted->cost, 0.004);
  EXPECT_DOUBLE_EQ(*run_seconds(*aborted), 4.0);
}

TEST_F(TrainingsTest, AbortBeforeSendingWithdrawsWithoutCallingRunpod) {
  // Stored but never sent (as after a crash between storing and /run).
  auto created = store_->create(NewVersion{"0006", "", false},
                                [&](int n) -> Result<Version> {
                                  Version v;
                                  v.actor_id = "0006";
                                  v.number = n;
                                  v.name = "V1";
                                  v.model_name = "m";
                                  v.request_id = "r";
                                  v.endpoint_name = "default";
                                  v.endpoint_id = "ep";
                                  return v;
                                },
                                {});
  ASSERT_TRUE(created);
  auto aborted = trainings_->abort(created->version.id);
  ASSERT_TRUE(aborted) << aborted.error().message;
  EXPECT_EQ(aborted->status, VersionStatus::Cancelled);
  EXPECT_EQ(backend_.cancel_calls, 0);
  // Withdrawn means it is never sent later either.
  EXPECT_EQ(trainings_->check(created->version.id, Retries::None)->status,
            VersionStatus::Cancelled);
  EXPECT_EQ(backend_.submit_calls, 0);
}

TEST_F(TrainingsTest, StatusErrorsChangeNothing) {
  backend_.submits.push_back({SubmitOutcome::Kind::Accepted, "job-1", "ok"});
  auto started = trainings_->start(actor(), order());
  ASSERT_TRUE(started);
  backend_.statuses.push_back(Error{ErrorCode::Unavailable, "RunPod status job-1: HTTP 429"});
  auto checked = trainings_->check(started->version.id, Retries::None);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, ErrorCode::Unavailable);
  EXPECT_EQ(store_->get(started->version.id)->status, VersionStatus::Queued);
}

TEST_F(TrainingsTest, FinalVersionsAreNotCheckedAgain) {
  backend_.submits.push_back({SubmitOutcome::Kind::Accepted, "job-1", "ok"});
  auto started = trainings_->start(actor(), order());
  ASSERT_TRUE(started);
  JobReport done = report("COMPLETED", LifecycleEvent::ReportedCompleted);
  done.lora_url = "https://x/a.safetensors";
  done.execution_ms = 10'000;
  backend_.statuses.push_back(done);
  auto checked = trainings_->check(started->version.id, Retries::None);
  ASSERT_TRUE(checked);
  EXPECT_EQ(checked->status, VersionStatus::Completed);
  EXPECT_DOUBLE_EQ(*checked->cost, 0.01);
  EXPECT_TRUE(trainings_->check(started->version.id, Retries::None));
  EXPECT_EQ(backend_.status_calls, 1);
}

TEST_F(TrainingsTest, MarkGoodNeedsACompletedVersionWithALora) {
  backend_.submits.push_back({SubmitOutcome::Kind::Accepted, "job-1", "ok"});
  auto started = trainings_->start(actor(), order());
  ASSERT_TRUE(started);
  const std::string before = testing::slurp(dir_.path() / "actors.json");
  auto refused = trainings_->mark_good(started->version.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::FailedPrecondition);
  EXPECT_EQ(testing::slurp(dir_.path() / "actors.json"), before);

  JobReport done = report("COMPLETED", LifecycleEvent::ReportedCompleted);
  done.lora_url = "https://x/a.safetensors";
  ASSERT_TRUE(trainings_->ingest({done}));
  auto marked = trainings_->mark_good(started->version.id);
  ASSERT_TRUE(marked) << marked.error().message;
  EXPECT_TRUE(marked->good);
  const std::string after = testing::slurp(dir_.path() / "actors.json");
  EXPECT_NE(after.find("\"version_name\": \"V1\""), std::string::npos) << after;
  EXPECT_NE(after.find("\"marked_at\": \"2027-01-15T08:00:00Z\""), std::string::npos) << after;
  EXPECT_NE(after.find("\"note\": \"kept\""), std::string::npos);
  ASSERT_TRUE(registry_->reload());
  ASSERT_TRUE(trainings_->clear_good(registry_->catalog()->actors().front()));
  EXPECT_EQ(testing::slurp(dir_.path() / "actors.json").find("validated_lora_model"),
            std::string::npos);
  EXPECT_FALSE(store_->get(started->version.id)->good);
}

// A studio version trained before this product, as the import stores it.
Version imported_version(int number, const std::string& lora_url) {
  Version v;
  v.actor_id = "0006";
  v.actor_name = "0006_european_20_female";
  v.number = number;
  v.name = "V" + std::to_string(number);
  v.model_name = "actor_0006_V" + std::to_string(number);
  v.request_id = "import:0006:" + std::to_string(number);
  v.imported = true;
  v.status = VersionStatus::Completed;
  v.lora_url = lora_url;
  return v;
}

TEST(LoraLocationTest, PatternOrTheNewestKnownLayoutSaysWhereTheModelGoes) {
  EXPECT_EQ(lora_location_of("s3://models/loras/{model}.safetensors", "actor_6_V8")->url(),
            "s3://models/loras/actor_6_V8.safetensors");
  EXPECT_FALSE(lora_location_of("s3://models/loras/fixed.safetensors", "actor_6_V8"));
  EXPECT_FALSE(lora_location_of("https://example.com/{model}", "actor_6_V8"));
  const std::string studio =
      "https://models-bucket.s3.us-west-1.amazonaws.com/actor_maker_user/custom-actors/models/";
  const std::vector<Version> known = {
      imported_version(6, studio + "actor_0006_V6.safetensors"),
      imported_version(7, studio + "actor_0006_V7.safetensors"),
      imported_version(9, "https://models.emulator.invalid/loras/actor_0006_V9.safetensors")};
  // The emulator's URL is not S3, so V7 shows the layout; the region comes along.
  const std::optional<S3Location> next = expected_lora_location("", known, "actor_0006_V10");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->url(),
            "s3://models-bucket/actor_maker_user/custom-actors/models/actor_0006_V10.safetensors");
  EXPECT_EQ(next->region, "us-west-1");
  // A file not named after its model shows nothing; the pattern wins over the history.
  EXPECT_FALSE(expected_lora_location("", {imported_version(7, "s3://m/x/final.safetensors")},
                                      "actor_0006_V8"));
  EXPECT_EQ(expected_lora_location("s3://patterns/{model}.bin", known, "actor_0006_V10")->url(),
            "s3://patterns/actor_0006_V10.bin");
}

TEST_F(TrainingsTest, AStartWhoseModelAlreadyExistsInTheBucketIsRefusedAndStoresNothing) {
  // The studio trained V1–V7 before; only V6 and V7 were imported, so the next is V8 and the
  // bucket already holds an actor_0006_V8 someone made by hand.
  const std::string models = "s3://models/actor_maker_user/custom-actors/models/";
  ASSERT_TRUE(store_->import_versions({imported_version(6, models + "actor_0006_V6.safetensors"),
                                       imported_version(7, models + "actor_0006_V7.safetensors")}));
  testing::FakeBucket bucket;
  bucket.objects = {{"s3://b/a.jpg", 1000}, {"s3://b/b.jpg", 1000}};  // the training data
  bucket.objects[models + "actor_0006_V8.safetensors"] = 171'000'000;
  trainings_->use_object_store(&bucket);
  auto refused = trainings_->start(actor(), order());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Conflict);
  EXPECT_NE(refused.error().message.find("the model actor_0006_V8 already exists at " + models +
                                         "actor_0006_V8.safetensors (171000000 bytes)"),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(store_->list_for_actor("0006")->size(), 2u);
  EXPECT_EQ(backend_.submit_calls, 0);
  // When the HEAD cannot say, nothing is sent either, and the cause is named.
  bucket.error = Error{ErrorCode::Unavailable, "HTTP 403: AccessDenied"};
  auto unknown = trainings_->start(actor(), order());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::Unavailable);
  EXPECT_NE(unknown.error().message.find("AccessDenied"), std::string::npos);
  // A free name trains as V8; with a pattern, the pattern is where it looks.
  bucket.error.reset();
  bucket.objects.erase(models + "actor_0006_V8.safetensors");
  settings_.lora_url_pattern = "s3://elsewhere/{model}.safetensors";
  backend_.submits.push_back({SubmitOutcome::Kind::Accepted, "job-8", "ok"});
  auto started = trainings_->start(actor(), order());
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->version.name, "V8");
  EXPECT_EQ(started->version.model_name, "actor_0006_V8");
  EXPECT_EQ(bucket.asked.back(), "s3://elsewhere/actor_0006_V8.safetensors");
  EXPECT_EQ(backend_.submit_calls, 1);
}

TEST_F(TrainingsTest, APatternWithoutAnS3StoreIsRefusedBeforeAnythingIsStored) {
  settings_.lora_url_pattern = "s3://models/{model}.safetensors";
  auto refused = trainings_->start(actor(), order());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::FailedPrecondition);
  EXPECT_NE(refused.error().message.find("lora_url_pattern is set but S3 is not configured"),
            std::string::npos);
  EXPECT_TRUE(store_->list_for_actor("0006")->empty());
}

TEST_F(TrainingsTest, AModelNameAnotherVersionHoldsIsNeverReused) {
  // An imported version of another actor holds the name this actor's V1 would get.
  Version other = imported_version(1, "");
  other.actor_id = "06";
  other.request_id = "import:06:1";
  ASSERT_TRUE(store_->import_versions({other}));
  auto refused = trainings_->start(actor(), order());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Conflict);
  EXPECT_NE(refused.error().message.find("the model name actor_0006_V1 is taken by V1 of actor 06"),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(backend_.submit_calls, 0);
}
}  // namespace
}  // namespace atr
