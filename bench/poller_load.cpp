// Poller load: N active jobs on the RunPod emulator (started here on loopback), tracked by
// the real Poller of a temporary workspace for D seconds. Reports status requests per second
// (against the configured budget), requests per active job per minute, and the CPU the
// process used (all threads) as a share of one core.
//
//   poller_load [--jobs N] [--seconds D] [--budget R]

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include "app/tracking.h"
#include "app/workspace.h"
#include "base/check.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace {

using namespace atr;
using namespace std::chrono_literals;

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long long status_calls(int port) {
  httplib::Client c("127.0.0.1", port);
  auto res = c.Get("/_emulator/stats");
  ATR_CHECK(res && res->status == 200, "emulator stats");
  return nlohmann::json::parse(res->body).value("status", 0LL);
}

}  // namespace

static int run(int argc, char** argv) {
  int jobs = 1000;
  int seconds = 60;
  double budget = 5.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--jobs") jobs = std::atoi(argv[i + 1]);
    if (flag == "--seconds") seconds = std::atoi(argv[i + 1]);
    if (flag == "--budget") budget = std::atof(argv[i + 1]);
  }
  testing::TempDir logs;
  testing::ChildProcess emulator({ATR_EMULATOR, "--api-key", "k", "--endpoint", "ep", "--queue-ms",
                                  "0", "--run-ms", "86400000"},
                                 {}, logs.path(), "emulator");
  auto line = emulator.wait_for_line("listening on", 10s);
  ATR_CHECK(line.has_value(), "emulator did not start");
  const int port = testing::port_in(*line);

  testing::TempDir dir;
  dir.write("actors.json", "[{\"id\": \"0001\", \"name\": \"0001_bench\"}]\n");
  dir.write("actor-trainer.toml", "[runpod]\npoll_requests_per_second = " + std::to_string(budget) +
                                      "\nbase_url = \"http://127.0.0.1:" + std::to_string(port) +
                                      "/v2\"\n");
  setenv("RUNPOD_API_KEY", "k", 1);
  auto opened = open_workspace(dir.path());
  ATR_CHECK(static_cast<bool>(opened), "open workspace");
  Workspace& ws = **opened;

  // N real jobs on the emulator, each with its version row.
  httplib::Client runpod("127.0.0.1", port);
  httplib::Headers auth = {{"Authorization", "Bearer k"}};
  for (int i = 0; i < jobs; ++i) {
    auto res = runpod.Post("/v2/ep/run", auth, R"({"input":{}})", "application/json");
    ATR_CHECK(res && res->status == 200, "emulator /run");
    const std::string job = nlohmann::json::parse(res->body)["id"];
    auto created = ws.store->create(NewVersion{"0001", "", true},
                                    [&](int n) -> Result<Version> {
                                      Version v;
                                      v.actor_id = "0001";
                                      v.number = n;
                                      v.name = "V" + std::to_string(n);
                                      v.model_name = "m" + std::to_string(n);
                                      v.request_id = "r" + std::to_string(n);
                                      v.endpoint_name = "default";
                                      v.endpoint_id = "ep";
                                      return v;
                                    },
                                    {});
    ATR_CHECK(static_cast<bool>(created), "create version");
    auto accepted = ws.store->update(created->version.id,
                                     [&](Version& v) -> std::optional<std::vector<LogEntry>> {
                                       v.job_id = job;
                                       v.submit_state = SubmitState::Accepted;
                                       v.status = VersionStatus::Queued;
                                       return std::vector<LogEntry>{};
                                     });
    ATR_CHECK(static_cast<bool>(accepted), "accept version");
  }

  const long long calls_before = status_calls(port);
  const double cpu_before = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  Poller poller(*ws.trainings, *ws.store, ws.clock, ws.config.settings.tracking);
  poller.start();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  poller.stop();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_before;
  const long long calls = status_calls(port) - calls_before;

  std::cout << "poller, " << jobs << " active jobs, " << seconds << " s, budget " << budget
            << " req/s:\n"
            << "  checks by poller    " << poller.checks() << "\n"
            << "  status requests     " << calls << " (" << static_cast<double>(calls) / wall
            << " req/s)\n"
            << "  per job per minute  " << static_cast<double>(calls) / jobs / (wall / 60.0) << "\n"
            << "  CPU                 " << 100.0 * cpu / wall << " % of one core\n";
  // The budget is a token bucket with one second's burst: at most budget × (wall + 1) calls.
  return static_cast<double>(calls) <= budget * (wall + 1.0) ? 0 : 1;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "poller_load: " << e.what() << "\n";
    return 1;
  }
}
