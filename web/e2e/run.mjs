// Browser tests of the Actor Training page: Debian's Chromium driven by playwright-core against
// the real `actor-trainer serve`, the RunPod emulator, s3rver and the ngrok stand-in, all on
// 127.0.0.1. Every request the page makes to another host is refused and counted (must be 0).
// Covers the seed's testing checklist, saves screenshots under test-results/, and measures the
// selector on a 10,000-actor workspace. Usage: node web/e2e/run.mjs [BUILD_DIR]
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { chromium } from "playwright-core";
import { freePort, repo, start, stopAll, tempDir } from "./harness.mjs";

const build = path.resolve(repo, process.argv[2] ?? "build/release");
const bin = {
  trainer: path.join(build, "src/actor-trainer"),
  emulator: path.join(build, "tools/runpod-emulator/runpod-emulator"),
  ngrok: path.join(build, "tools/ngrok-standin/ngrok-standin"),
  images: path.join(build, "bench/make_images"),
  workspace: path.join(build, "bench/make_workspace"),
  demo: path.join(build, "tools/demo-workspace/make-demo-workspace"),
};
const s3rverJs = path.join(repo, "tests/s3rver/node_modules/s3rver/bin/s3rver.js");
const results = path.join(repo, "test-results");
fs.mkdirSync(results, { recursive: true });
const work = tempDir("atr-e2e-");
const logs = path.join(work, "logs");
fs.mkdirSync(logs);

const passed = [];
let current = "";
const figures = {};
async function step(name, fn) {
  current = name;
  const t0 = Date.now();
  await fn();
  passed.push(`ok  ${name} (${Date.now() - t0} ms)`);
  console.log(`ok  ${name}`);
}

async function until(what, fn, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`,
  );
}

const json = async (url, init) => {
  const res = await fetch(url, init);
  return res.json();
};

// ---- the services ----------------------------------------------------------------------
const ACTOR = "0001_e2e_european_25_female";
function writeWorkspace(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const actors = [
    {
      id: "0001",
      name: ACTOR,
      sex: "female",
      ethnicity: "european",
      age: "25",
      description: "Freckles and a calm smile",
      kept: { a: [1, 2] },
    },
    {
      id: "0002",
      name: "0002_e2e_asian_31_male",
      sex: "male",
      ethnicity: "asian",
      age: 31,
      description: "Short black hair",
    },
    {
      id: "0003",
      name: "0003_e2e_african_44_female",
      sex: "female",
      ethnicity: "african",
      age: "44",
      description: "Silver braids",
    },
    {
      id: "0004",
      name: "0004_e2e_latino_19_male",
      sex: "male",
      ethnicity: "latino",
      age: "19",
      description: "Curly hair, round glasses",
    },
    {
      id: "0005",
      name: "0005_e2e_indian_52_female",
      sex: "female",
      ethnicity: "indian",
      age: "52",
      description: "Grey streak",
    },
  ];
  fs.writeFileSync(path.join(dir, "actors.json"), JSON.stringify(actors, null, 2) + "\n");
  fs.writeFileSync(
    path.join(dir, "actor-trainer.toml"),
    "[runpod]\npoll_requests_per_second = 20.0\npoll_queued_seconds = 1\npoll_training_seconds = 1\n" +
      '[runpod.preview]\nendpoint_id = "ep-preview"\nprice_per_second = 0.0004\nseeds = [11, 22]\n' +
      "width = 512\nheight = 512\n",
  );
}

async function main() {
  const ws = path.join(work, "ws");
  writeWorkspace(ws);
  // Training photos cut from one real portrait (the image-quality checks find a face in each),
  // and actor 0002 holds the checks' test set: two people, a small face, a cut face, blurred,
  // dark and overexposed copies, a photo with no person, a resized copy.
  await runQuiet(bin.demo, ["--photos", path.join(ws, "data/actors", ACTOR, "training_data"), "6"]);
  await runQuiet(bin.demo, ["--photo-cases", path.join(ws, "data/actors/0002_e2e_asian_31_male/training_data")]);

  fs.mkdirSync(path.join(work, "s3"));
  const s3 = await start(
    "s3rver",
    process.execPath,
    [s3rverJs, "-d", path.join(work, "s3"), "-a", "127.0.0.1", "-p", "0", "--configure-bucket", "bucket"],
    { ready: /listening on 127\.0\.0\.1:(\d+)/, logDir: logs },
  );
  const s3Port = s3.match[1];
  const emu = await start(
    "emulator",
    bin.emulator,
    [
      "--endpoint",
      "ep-e2e",
      "--api-key",
      "rp-e2e",
      "--queue-ms",
      "800",
      "--run-ms",
      "5000",
      "--webhook-retry-delay-ms",
      "300",
      "--preview-endpoint",
      "ep-preview",
      "--preview-run-ms",
      "500",
    ],
    { ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/, logDir: logs },
  );
  const emuUrl = `http://127.0.0.1:${emu.match[1]}`;
  const pathDir = path.join(work, "bin");
  fs.mkdirSync(pathDir);
  fs.copyFileSync(bin.ngrok, path.join(pathDir, "ngrok"));
  fs.chmodSync(path.join(pathDir, "ngrok"), 0o755);
  const webhookPort = await freePort();
  const apiPort = await freePort();
  const serveEnv = {
    RUNPOD_API_KEY: "rp-e2e",
    MODEL_TRAINING_RUNPOD_ENDPOINT_ID: "ep-e2e",
    RUNPOD_BASE_URL: emuUrl + "/v2",
    PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${webhookPort}`,
    S3_BUCKET: "bucket",
    S3_ENDPOINT_URL: `http://127.0.0.1:${s3Port}`,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_REGION: "us-east-1",
    NGROK_AUTHTOKEN: "ngrok-e2e",
    NGROK_AGENT_API_URL: `http://127.0.0.1:${await freePort()}`,
    PATH: pathDir + ":" + process.env.PATH,
  };
  const serveArgs = ["-w", ws, "serve", "--port", String(apiPort), "--webhook-port", String(webhookPort)];
  let serve = await start("serve", bin.trainer, serveArgs, {
    env: serveEnv,
    ready: /API and UI: (http:\/\/[^\s]+)/,
    logDir: logs,
  });
  const url = serve.match[1];

  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // No name but loopback resolves: whatever a page asks for, nothing leaves the machine.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ],
  });
  const offHost = [];
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
  await context.route("**/*", (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === "127.0.0.1" || host === "localhost") return route.continue();
    offHost.push(route.request().url());
    return route.abort();
  });
  // ATR_E2E_ONLY=studio runs the studio-shaped walk alone (e.g. against another build).
  if (process.env.ATR_E2E_ONLY === "studio") {
    await serve.stop();
    await studioWalk(browser, { emuUrl, serveEnv, pathDir });
    await browser.close();
    return;
  }
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));

  await step("the selector opens and shows the actors", async () => {
    await page.goto(url);
    await page.getByRole("dialog", { name: "Select an actor" }).waitFor();
    await until("5 cards", async () => (await page.locator(".card[data-actor-id]").count()) === 5);
    assert.equal(await page.getByTestId("result-count").textContent(), "5 actors");
    assert.match(await page.getByTestId("demo-banner").textContent(), /demo: RunPod emulator at http:\/\/127\.0\.0\.1/);
    await page.screenshot({ path: path.join(results, "01-selector-open.png") });
  });

  await step("search works (server-side)", async () => {
    await page.getByLabel("Search actors").fill("braids");
    await until("one result", async () => (await page.getByTestId("result-count").textContent()) === "1 actor");
    assert.equal(await page.locator(".card[data-actor-id]").first().getAttribute("data-actor-id"), "0003");
    await page.getByLabel("Search actors").fill("");
    await until("all again", async () => (await page.getByTestId("result-count").textContent()) === "5 actors");
  });

  await step("filters work, with facet counts", async () => {
    await page.locator("label.chip", { hasText: "male" }).filter({ hasNotText: "female" }).click();
    await until("2 male", async () => (await page.getByTestId("result-count").textContent()) === "2 actors");
    const ids = await page
      .locator(".card[data-actor-id]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-actor-id")));
    assert.deepEqual(ids.sort(), ["0002", "0004"]);
    await page.locator("label.chip", { hasText: "male" }).filter({ hasNotText: "female" }).click();
    // "has data" follows the folders: 0001 and 0002 have images, and actors.json records none yet.
    await page.getByLabel("has data").check();
    await until("two with data", async () => (await page.getByTestId("result-count").textContent()) === "2 actors");
    await page.getByLabel("has model").check();
    await until("none", async () => (await page.getByTestId("result-count").textContent()) === "0 actors");
    assert.equal(await page.getByText("No actor matches.").count(), 1);
    // The empty result offers the way back.
    await page.getByRole("button", { name: "Clear filters" }).click();
    await until("all again", async () => (await page.getByTestId("result-count").textContent()) === "5 actors");
    assert.equal(await page.getByLabel("has data").isChecked(), false);
  });

  await step("keyboard: arrows and Enter select an actor", async () => {
    await page.locator(".grid").focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Enter");
    await until("page shows 0001", async () => (await page.getByTestId("current-actor").textContent()) === ACTOR);
    assert.equal(await page.getByRole("dialog", { name: "Select an actor" }).count(), 0);
  });

  await step("training data info is right", async () => {
    await until("6 usable", async () => (await page.getByTestId("data-summary").textContent())?.includes("6 usable"));
    assert.equal(await page.getByTestId("sync-state").textContent(), "not synced");
  });

  await step("Sync now uploads to S3 and the state turns synced", async () => {
    await page.getByRole("button", { name: "Sync now" }).click();
    await until("synced", async () => (await page.getByTestId("sync-state").textContent()) === "synced", 30000);
    const registry = JSON.parse(fs.readFileSync(path.join(ws, "actors.json"), "utf8"));
    assert.equal(registry[0].training_data.count, 6);
    assert.deepEqual(registry[0].kept, { a: [1, 2] });
  });

  const plan = await json(`${url}api/actors/0001/training-plan`);
  await step("parameters can be edited; the server's validation shows at the field", async () => {
    const lr = page.locator("#param-learning_rate");
    await until("plan loaded", async () => (await lr.inputValue()) === String(plan.parameters.learning_rate));
    await lr.fill("0.5");
    await until("lr problem", async () => (await page.locator("#param-learning_rate-problem").count()) === 1);
    assert.ok(await page.getByRole("button", { name: "Start training" }).isDisabled());
    await lr.fill(String(plan.parameters.learning_rate));
    await until("problem gone", async () => (await page.locator("#param-learning_rate-problem").count()) === 0);
    await page.locator("#param-max_train_steps").fill("1500");
    await until("estimate follows", async () => {
      const checked = await json(`${url}api/actors/0001/training-plan`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Actor-Trainer": "1" },
        body: JSON.stringify({ parameters: { max_train_steps: 1500 } }),
      });
      const shown = await page.getByTestId("estimate").textContent();
      return shown.includes("$" + checked.estimate.cost_usd.toFixed(checked.estimate.cost_usd < 1 ? 3 : 2));
    });
  });

  await step("Auto-adjust gives the server's values", async () => {
    await page.getByRole("button", { name: "Auto-adjust" }).click();
    for (const name of ["max_train_steps", "learning_rate", "num_repeats", "lr_warmup_steps"]) {
      await until(
        name,
        async () => (await page.locator("#param-" + name).inputValue()) === String(plan.parameters[name]),
      );
    }
  });

  await step("the guidelines modal opens and closes from the keyboard", async () => {
    await page.getByRole("button", { name: "Guidelines" }).click();
    await page.getByRole("dialog", { name: "Training guidelines" }).waitFor();
    await page.keyboard.press("Escape");
    await until("closed", async () => (await page.getByRole("dialog", { name: "Training guidelines" }).count()) === 0);
  });

  await step("the ngrok tunnel starts and stops (stand-in agent)", async () => {
    await page.getByRole("button", { name: "Start ngrok" }).click();
    await until("running", async () =>
      (await page.getByTestId("ngrok-state").textContent()).startsWith("ngrok: running"),
    );
    assert.match(await page.getByTestId("ngrok-state").textContent(), /https:\/\//);
    await page.getByRole("button", { name: "Stop ngrok" }).click();
    await until("off", async () => (await page.getByTestId("ngrok-state").textContent()) === "ngrok: off");
  });

  await step("a training is sent: exactly one /run with the expected body", async () => {
    await page.locator("#description").fill("first try from the browser");
    await page.getByRole("button", { name: "Start training" }).click();
    await until("one run", async () => (await json(emuUrl + "/_emulator/stats")).run === 1);
    const stats = await json(emuUrl + "/_emulator/stats");
    const registry = JSON.parse(fs.readFileSync(path.join(ws, "actors.json"), "utf8"));
    assert.deepEqual(stats.last_training_data.s3_urls, registry[0].training_data.s3_urls);
    assert.equal(stats.last_training_config.model_name, "actor_0001_V1");
    assert.equal(stats.last_training_config.max_train_steps, plan.parameters.max_train_steps);
    assert.equal(stats.last_training_config.learning_rate, plan.parameters.learning_rate);
    assert.equal(stats.run_request_ids.length, 1);
    assert.equal(stats.webhook_urls.length, 1);
    assert.ok(stats.webhook_urls[0].startsWith(`http://127.0.0.1:${webhookPort}/api/training-webhook/`));
  });

  await step("console lines and status updates arrive live", async () => {
    await until("console has the request", async () =>
      (await page.getByTestId("console").textContent()).includes("POST /run"),
    );
    await until("status moves on", async () =>
      /queued|training/.test(await page.getByTestId("version-status").textContent()),
    );
    await until("training", async () => /training/.test(await page.getByTestId("version-status").textContent()), 20000);
    // RunPod's progress output (from the status checks) reaches the progress bar.
    await until(
      "step and loss",
      async () => /step [1-9]\d*\/1000\s*loss 0\.\d{4}/.test(await page.getByTestId("progress-facts").textContent()),
      15000,
    );
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(results, "02-training-in-progress.png") });
  });

  await step("the webhook completes the version", async () => {
    await until(
      "completed",
      async () => /completed/.test(await page.getByTestId("version-status").textContent()),
      30000,
    );
    const stats = await json(emuUrl + "/_emulator/stats");
    assert.ok(
      stats.webhooks.some((w) => w.status === 200),
      JSON.stringify(stats.webhooks),
    );
    await until("console says completed", async () =>
      /completed/i.test(await page.getByTestId("console").textContent()),
    );
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(results, "03-completed-with-versions.png") });
  });

  await step("history survives a page reload and a server restart", async () => {
    await page.reload();
    await until("V1 after reload", async () => (await page.locator('[data-version="V1"]').count()) === 1);
    await serve.stop();
    serve = await start("serve-again", bin.trainer, serveArgs, {
      env: serveEnv,
      ready: /API and UI: (http:\/\/[^\s]+)/,
      logDir: logs,
    });
    await page.reload();
    await until(
      "V1 after restart",
      async () => (await page.locator('[data-version="V1"] .badge.status').textContent()) === "completed",
    );
  });

  await step("mark as good updates actors.json", async () => {
    await page.locator('[data-version="V1"] .version-pick').click();
    await page.getByRole("button", { name: "Mark as good" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Confirm" }).click();
    await until("registry updated", async () => {
      const registry = JSON.parse(fs.readFileSync(path.join(ws, "actors.json"), "utf8"));
      return registry[0].validated_lora_model?.version_name === "V1" && registry[0].good === true;
    });
    await until("badge", async () => (await page.getByTestId("validated").count()) === 1);
  });

  await step("a training can be aborted", async () => {
    await fetch(emuUrl + "/_emulator/config", {
      method: "POST",
      body: JSON.stringify({ run_ms: 120000, queue_ms: 200 }),
    });
    await page.getByRole("button", { name: "Start training" }).click();
    await until("V2 listed", async () => (await page.locator('[data-version="V2"]').count()) === 1);
    await until("abort enabled", async () => !(await page.getByRole("button", { name: "Abort" }).isDisabled()));
    await until(
      "V2 training",
      async () => (await page.locator('[data-version="V2"] .badge.status').textContent()) === "training",
      20000,
    );
    // A paid job asks once before it is aborted; "Keep it" changes nothing.
    await page.getByRole("button", { name: "Abort" }).click();
    await page.getByRole("alertdialog", { name: "Confirm abort" }).getByRole("button", { name: "Keep it" }).click();
    assert.equal((await json(emuUrl + "/_emulator/stats")).cancel ?? 0, 0);
    await page.getByRole("button", { name: "Abort" }).click();
    await page
      .getByRole("alertdialog", { name: "Confirm abort" })
      .getByRole("button", { name: "Abort training" })
      .click();
    await until(
      "cancelled",
      async () => (await page.locator('[data-version="V2"] .badge.status').textContent()) === "cancelled",
      20000,
    );
    assert.equal((await json(emuUrl + "/_emulator/stats")).cancel, 1);
    // It ran on a worker, so the page shows how long and what it cost.
    await until("duration and cost", async () =>
      /\d+ s · \$0\.\d{3}/.test(await page.locator('[data-version="V2"]').textContent()),
    );
  });

  await step("the version selector shows each version and compares two", async () => {
    await page.locator('[data-version="V2"] .version-pick').click();
    await until("V2 details", async () => (await page.getByLabel("Details of V2").count()) === 1);
    await page.locator('[data-version="V1"] .version-pick').click();
    await until("V1 details", async () => (await page.getByLabel("Details of V1").count()) === 1);
    await page.getByLabel("compare V1").check();
    await page.getByLabel("compare V2").check();
    await until("comparison", async () => (await page.getByLabel("Comparison").count()) === 1);
    await page.getByRole("button", { name: "Load parameters" }).click();
    assert.equal(await page.locator("#param-max_train_steps").inputValue(), String(plan.parameters.max_train_steps));
  });

  await step("a completed training draws its loss curve and fills its preview gallery", async () => {
    // A longer run, so the status checks (one a second) see 20 and more progress reports.
    await fetch(emuUrl + "/_emulator/config", {
      method: "POST",
      body: JSON.stringify({ run_ms: 26000, queue_ms: 200 }),
    });
    await page.getByRole("button", { name: "Start training" }).click();
    await until("V3 listed", async () => (await page.locator('[data-version="V3"]').count()) === 1);
    await page.locator('[data-version="V3"] .version-pick').click();
    await until(
      "V3 completed",
      async () => (await page.locator('[data-version="V3"] .badge.status').textContent()) === "completed",
      45000,
    );
    const details = page.getByLabel("Details of V3");
    const points = await until("a curve of 20 points", async () => {
      const n = Number(await details.locator(".loss-curve polyline").getAttribute("data-points"));
      return n >= 20 ? n : 0;
    });
    figures.curve_points = points;
    const drawn = await details.locator(".loss-curve polyline").getAttribute("points");
    assert.ok(drawn.trim().split(" ").length >= 20, drawn);
    // serve renders the previews on completion: four prompts × two seeds, real PNGs.
    const gallery = details.getByLabel("Preview images of V3");
    await until("eight images", async () => (await gallery.locator(".preview-cell img").count()) === 8, 30000);
    await until("images loaded", async () =>
      gallery.locator(".preview-cell img").evaluateAll((imgs) => imgs.every((i) => i.complete && i.naturalWidth > 0)),
    );
    assert.equal((await json(emuUrl + "/_emulator/stats")).preview_run, 16); // V1's and V3's
    await details.screenshot({ path: path.join(results, "07-loss-curve-and-previews.png") });
    await gallery.locator(".preview-cell").first().click();
    const box = page.getByRole("dialog", { name: "Preview image" });
    await box.waitFor();
    assert.match(await box.textContent(), /V3 · close-up portrait · seed 11/);
    await page.screenshot({ path: path.join(results, "08-preview-lightbox.png") });
    await box.getByRole("button", { name: "Close" }).click();
  });

  await step("compare lays out V1 and V3 prompt by prompt and seed by seed, then marks V3 good", async () => {
    await page.getByLabel("compare V2").uncheck();
    await page.getByLabel("compare V3").check();
    const comparison = page.getByLabel("Comparison");
    await until("two curves", async () => (await comparison.locator(".loss-curve polyline").count()) === 2);
    const grid = comparison.getByLabel("Previews of V1 and V3");
    await until("sixteen images", async () => (await grid.locator(".preview-cell img").count()) === 16, 20000);
    const rows = await grid.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.dataset.row));
    assert.deepEqual(rows, ["0/11", "0/22", "1/11", "1/22", "2/11", "2/22", "3/11", "3/22"]);
    // Each row holds V1's and V3's image of the same prompt and seed.
    const alts = await grid
      .locator("tbody tr")
      .first()
      .locator("img")
      .evaluateAll((imgs) => imgs.map((i) => i.alt));
    assert.deepEqual(alts, ["V1 close-up portrait seed 11", "V3 close-up portrait seed 11"]);
    await comparison.screenshot({ path: path.join(results, "09-compare-previews.png") });
    await comparison.getByRole("button", { name: "Mark V3 as good" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Confirm" }).click();
    await until("registry names V3", async () => {
      const registry = JSON.parse(fs.readFileSync(path.join(ws, "actors.json"), "utf8"));
      return registry[0].validated_lora_model?.version_name === "V3";
    });
  });

  await step(
    "data quality: face boxes on the thumbnails, findings per image, near-duplicates side by side",
    async () => {
      await page.getByTestId("choose-actor").click();
      await searchFor(page, "0002", "1 actor");
      await page.locator(".card[data-actor-id]").first().click();
      await until("faces summary", async () => (await page.getByTestId("faces-summary").count()) === 1);
      assert.equal(await page.getByTestId("faces-summary").textContent(), "faces: 6 one face · 2 none · 1 several");
      // no_person.png and overexposed.png have no face: left out of training.
      assert.match(await page.getByTestId("data-summary").textContent(), /7 usable, 2 excluded/);
      // A box on every face found: 6 images with one, two_people.png with two.
      assert.equal(await page.getByTestId("face-box").count(), 8);
      const box = await page.locator('.face-thumb[data-file="portrait.png"] [data-testid="face-box"]').boundingBox();
      const thumb = await page.locator('.face-thumb[data-file="portrait.png"] img').boundingBox();
      // astronaut.png: the face at about x 179–267, y 83–171 of 512 px.
      assert.ok(Math.abs((box.x - thumb.x) / thumb.width - 179 / 512) < 0.04, JSON.stringify({ box, thumb }));
      assert.ok(Math.abs((box.y - thumb.y) / thumb.height - 83 / 512) < 0.04, JSON.stringify({ box, thumb }));
      assert.equal(await page.locator('.face-thumb[data-file="two_people.png"] [data-testid="face-box"]').count(), 2);
      // The near-duplicate group: the portrait kept, its copies beside it.
      const group = page.getByTestId("near-duplicate-group");
      assert.equal(await group.count(), 1);
      const names = await group.locator("figcaption").allTextContents();
      assert.equal(names[0], "portrait.png (kept)");
      assert.ok(names.includes("portrait_resized.jpg"), names.join(", "));
      // One image's findings.
      await page.locator('.face-thumb[data-file="small_face.png"]').click();
      assert.match(
        await page.getByTestId("image-detail").textContent(),
        /the face is \d+ px wide, 9% of the short side/,
      );
      await page.getByTestId("image-detail").screenshot({ path: path.join(results, "10-image-findings.png") });
      // Only the images with findings: the clean portrait goes.
      const all = await page.locator(".thumbs .face-thumb, .thumbs .thumb-excluded").count();
      await page.getByTestId("only-findings").check();
      assert.equal(await page.locator('.face-thumb[data-file="portrait.png"]').count(), 0);
      assert.ok((await page.locator(".thumbs .face-thumb").count()) < all);
      await page.getByLabel("Training data").screenshot({ path: path.join(results, "11-data-quality.png") });
      await page.getByTestId("only-findings").uncheck();
      // The selector card now carries the data-quality badge.
      await page.getByTestId("choose-actor").click();
      await searchFor(page, "0002", "1 actor");
      await until(
        "quality badge",
        async () => (await page.locator('.card [data-testid="quality-badge"]').count()) === 1,
      );
      assert.match(await page.locator('.card [data-testid="quality-badge"]').textContent(), /⚠ \d+/);
      await page.keyboard.press("Escape");
    },
  );

  await step(
    "batch: Train all eligible shows the plan with its total, confirms once, and the queue finishes",
    async () => {
      // Two more actors with photos, synced: with 0001 validated and 0002 never synced, they are
      // the eligible ones.
      await fetch(emuUrl + "/_emulator/config", {
        method: "POST",
        body: JSON.stringify({ run_ms: 2500, queue_ms: 200 }),
      });
      for (const [id, name] of [
        ["0003", "0003_e2e_african_44_female"],
        ["0004", "0004_e2e_latino_19_male"],
      ]) {
        await runQuiet(bin.demo, ["--photos", path.join(ws, "data/actors", name, "training_data"), "5"]);
        const res = await fetch(`${url}api/actors/${id}/sync`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Actor-Trainer": "1" },
          body: "{}",
        });
        assert.equal(res.status, 202, await res.text());
        await until(
          `${id} synced`,
          async () => (await json(`${url}api/actors/${id}`)).training_data.state === "synced",
          30000,
        );
      }
      // Training jobs only: a completed training also starts its previews (preview_run).
      const trainingRuns = async () => {
        const st = await json(emuUrl + "/_emulator/stats");
        return st.run - (st.preview_run ?? 0);
      };
      const runsBefore = await trainingRuns();
      await page.getByRole("button", { name: "Train all eligible" }).click();
      const dialog = page.getByRole("dialog", { name: "Train all eligible" });
      const total = dialog.getByTestId("batch-total");
      await until("plan of two", async () => /^2 trainings · \$\d/.test((await total.textContent()) ?? ""), 30000);
      const rows = await dialog.locator(".batch-plan tbody tr").evaluateAll((trs) => trs.map((tr) => tr.dataset.actor));
      assert.deepEqual(rows, ["0003", "0004"]);
      // The total is the server's sum of the two estimates.
      const plan = await json(`${url}api/batch-plan`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Actor-Trainer": "1" },
        body: JSON.stringify({ concurrency: 2 }),
      });
      const sum = plan.items.reduce((a, i) => a + i.estimate.cost_usd, 0);
      assert.ok(Math.abs(plan.total_cost_usd - sum) < 1e-9);
      assert.match(await total.textContent(), new RegExp("\\$" + sum.toFixed(sum < 1 ? 3 : 2).replace(".", "\\.")));
      // Leaving one out changes the total; ticking it again brings it back.
      await dialog.getByLabel("include 0004_e2e_latino_19_male").uncheck();
      await until("plan of one", async () => /^1 training · /.test((await total.textContent()) ?? ""));
      await dialog.getByLabel("include 0004_e2e_latino_19_male").check();
      await until("plan of two again", async () => /^2 trainings · /.test((await total.textContent()) ?? ""));
      // "At most 1" trains the first only; 0 is every eligible actor again.
      await dialog.getByLabel("At most").fill("1");
      await until("at most one", async () => /^1 training · /.test((await total.textContent()) ?? ""));
      assert.equal(await dialog.locator('.batch-plan tr[data-actor="0004"]').getAttribute("class"), "excluded");
      await dialog.getByLabel("At most").fill("0");
      await until("all again", async () => /^2 trainings · /.test((await total.textContent()) ?? ""));
      await dialog.screenshot({ path: path.join(results, "12-batch-plan.png") });
      // Nothing is sent before the one confirmation.
      await dialog.getByRole("button", { name: "Train 2 actors…" }).click();
      assert.equal(await trainingRuns(), runsBefore);
      await dialog.getByRole("alertdialog", { name: "Confirm batch" }).getByRole("button", { name: "Start 2" }).click();
      const queue = dialog.getByTestId("batch-queue");
      await until("queue shown", async () => (await queue.count()) === 1, 20000);
      await until("queue running", async () => /running/.test((await queue.textContent()) ?? ""), 20000);
      await until("queue finished", async () => (await queue.getAttribute("data-state")) === "finished", 60000);
      assert.match(await queue.textContent(), /0 waiting · 0 running · 2 done · 0 failed/);
      assert.equal(await trainingRuns(), runsBefore + 2);
      await dialog.screenshot({ path: path.join(results, "13-batch-queue.png") });
      await dialog.getByRole("button", { name: "Close" }).click();
    },
  );

  await step("analytics: the figures of the history with their charts, and the budget in the header", async () => {
    await page.getByRole("button", { name: "Analytics" }).click();
    const kpis = page.getByTestId("kpis");
    await kpis.waitFor();
    const stats = await json(
      `${url}api/stats?since=${new Date(Date.now() - 29 * 86400000).toISOString().slice(0, 10)}`,
    );
    assert.ok(stats.trainings >= 5, JSON.stringify(stats)); // V1–V3 of 0001 and the batch's two
    assert.equal(await kpis.locator('[data-kpi="trainings"] .kpi-value').textContent(), String(stats.trainings));
    assert.equal(
      await kpis.locator('[data-kpi="success rate"] .kpi-value').textContent(),
      Math.round(stats.success_rate * 100) + "%",
    );
    // uPlot draws each chart on a canvas, with its legend.
    for (const id of ["trainings", "spend", "speed"]) {
      const chart = page.getByTestId("chart-" + id);
      await until(`chart ${id}`, async () => (await chart.locator("canvas").count()) === 1);
      const size = await chart.locator("canvas").boundingBox();
      assert.ok(size.width > 200 && size.height > 100, JSON.stringify(size));
    }
    assert.match(await page.getByTestId("chart-trainings").textContent(), /started.*completed.*failed/s);
    assert.match(await page.getByLabel("Spend per actor").textContent(), /0001_e2e_european_25_female/);
    assert.match(await page.getByLabel("Most expensive versions").textContent(), /0001 V3/);
    // The header shows this month's spend (no cap configured here).
    const month = (await json(`${url}api/budget`)).periods[0];
    assert.equal(month.period, "month");
    await until("budget badge", async () =>
      ((await page.getByTestId("budget").textContent()) ?? "").startsWith("this month $"),
    );
    // Caps set from the header: the badge shows the spend against the cap, and the API agrees.
    await page.getByTestId("budget").click();
    const editor = page.getByRole("dialog", { name: "Budget caps" });
    await editor.getByLabel("cap per month").fill("500");
    await editor.getByRole("button", { name: "Save caps" }).click();
    await until("capped badge", async () =>
      / \/ \$500\.00$/.test((await page.getByTestId("budget").textContent()) ?? ""),
    );
    const capped = await json(`${url}api/budget`);
    assert.equal(capped.source, "page");
    assert.equal(capped.caps.month, 500);
    await page.screenshot({ path: path.join(results, "14-analytics.png"), fullPage: true });
    await page.getByTestId("budget").click();
    await page
      .getByRole("dialog", { name: "Budget caps" })
      .getByRole("button", { name: "Use actor-trainer.toml" })
      .click();
    await until("no cap again", async () => (await json(`${url}api/budget`)).capped === false);
    await page.getByRole("button", { name: "Training", exact: true }).click();
    await page.getByLabel("Parameters").waitFor();
  });

  await step("fits a 1280-px laptop and a 768-px tablet without sideways scrolling", async () => {
    for (const [width, height, shot] of [
      [1280, 800, "05-laptop-1280.png"],
      [768, 1024, "06-tablet-768.png"],
    ]) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(100);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${width} px: ${overflow} px too wide`);
      await page.screenshot({ path: path.join(results, shot), fullPage: true });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  await step("no request left 127.0.0.1 and the page threw nothing", async () => {
    assert.deepEqual(offHost, []);
    assert.deepEqual(pageErrors, []);
  });
  await serve.stop();

  await studioWalk(browser, { emuUrl, serveEnv, pathDir });

  await step("with --auth-token the page asks for the token, then works, events included", async () => {
    const token = "e2e-token-" + Date.now();
    const guarded = await start("serve-auth", bin.trainer, ["-w", ws, "serve", "--port", "0", "--webhook-port", "0"], {
      env: { ...serveEnv, ACTOR_TRAINER_AUTH_TOKEN: token },
      ready: /API and UI: (http:\/\/[^\s]+)/,
      logDir: logs,
    });
    const guardedUrl = guarded.match[1];
    const p = await context.newPage();
    await p.goto(guardedUrl);
    await p.getByRole("dialog", { name: "Access token" }).waitFor();
    await p.getByLabel("Token", { exact: true }).fill(token);
    await p.getByRole("button", { name: "Continue" }).click();
    await until("actors listed", async () => (await p.locator(".card[data-actor-id]").count()) === 5);
    const auth = { headers: { Authorization: "Bearer " + token } };
    // A wrong token is said to be wrong, not taken for a server that cannot be reached.
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await fresh.route("**/*", (route) =>
      new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort(),
    );
    const wrong = await fresh.newPage();
    await wrong.addInitScript(() => sessionStorage.setItem("actor-trainer.token", "not-the-token"));
    await wrong.goto(guardedUrl);
    await wrong.getByTestId("token-refused").waitFor();
    assert.equal(await wrong.getByText("Cannot reach the server").count(), 0);
    await fresh.close();
    await until("event stream open", async () =>
      (await (await fetch(guardedUrl + "metrics", auth)).text()).includes("atr_sse_clients 1"),
    );
    await p.close();
    await guarded.stop();
  });

  // ---- speed on 10,000 actors ----------------------------------------------------------
  const big = path.join(work, "big");
  await runQuiet(bin.workspace, [big, "--actors", "10000"]);
  const bigServe = await start("serve-10k", bin.trainer, ["-w", big, "serve", "--port", "0", "--webhook-port", "0"], {
    env: { ...serveEnv, PUBLIC_WEBHOOK_BASE_URL: "" },
    ready: /API and UI: (http:\/\/[^\s]+)/,
    logDir: logs,
  });
  const bigUrl = bigServe.match[1];
  const bigPage = await context.newPage();
  await step("10,000 actors: the selector is interactive within 500 ms of the click", async () => {
    await bigPage.goto(bigUrl);
    await bigPage.getByRole("dialog", { name: "Select an actor" }).waitFor();
    await until("cards", async () => (await bigPage.locator(".card[data-actor-id]").count()) > 0);
    await bigPage.keyboard.press("Escape");
    const times = [];
    for (let i = 0; i < 5; i++) {
      times.push(
        await bigPage.evaluate(
          () =>
            new Promise((resolve) => {
              const t0 = performance.now();
              document.querySelector('[data-testid="choose-actor"]').click();
              const check = () => {
                const card = document.querySelector(".card[data-actor-id]");
                const search = document.querySelector('input[aria-label="Search actors"]');
                if (card && search && document.activeElement === search) resolve(performance.now() - t0);
                else requestAnimationFrame(check);
              };
              check();
            }),
        ),
      );
      await bigPage.keyboard.press("Escape");
      await until("closed", async () => (await bigPage.getByRole("dialog").count()) === 0);
    }
    figures.selector_open_ms = times;
    const median = [...times].sort((a, b) => a - b)[2];
    assert.ok(median <= 500, `median ${median} ms`);
  });

  await step("10,000 actors: search results within 150 ms of the last keystroke", async () => {
    await bigPage.getByTestId("choose-actor").click();
    const input = bigPage.getByLabel("Search actors");
    const times = [];
    for (const word of ["european fem", "asian", "male 3", "smile", "zz"]) {
      await input.fill("");
      await until("reset", async () => (await bigPage.getByTestId("result-count").getAttribute("data-query")) === "");
      await bigPage.evaluate((expected) => {
        window.__lastKey = 0;
        window.__doneAt = 0;
        document.addEventListener(
          "keydown",
          () => {
            window.__lastKey = performance.now();
          },
          { capture: true },
        );
        const el = document.querySelector('[data-testid="result-count"]');
        new MutationObserver(() => {
          if (el.dataset.query === expected && !window.__doneAt) window.__doneAt = performance.now();
        }).observe(el, { attributes: true, childList: true, subtree: true, characterData: true });
      }, word);
      await input.pressSequentially(word, { delay: 30 });
      const t = await until(
        "results",
        async () => bigPage.evaluate(() => (window.__doneAt ? window.__doneAt - window.__lastKey : 0)),
        5000,
      );
      times.push(t);
    }
    figures.search_ms = times;
    const median = [...times].sort((a, b) => a - b)[2];
    assert.ok(median <= 150, `median ${median} ms`);
  });
  await bigPage.screenshot({ path: path.join(results, "04-selector-10000.png") });

  await step("page JS + CSS ≤ 250 KB gzipped", async () => {
    const dir = path.join(repo, "web/dist/assets");
    let total = 0;
    for (const f of fs.readdirSync(dir)) {
      if (/\.(js|css)$/.test(f)) total += zlib.gzipSync(fs.readFileSync(path.join(dir, f)), { level: 9 }).length;
    }
    figures.bundle_gzip_kb = +(total / 1024).toFixed(1);
    assert.ok(total <= 250 * 1024, `${total} bytes`);
  });

  await browser.close();
}

// ---- the studio-shaped workspace -----------------------------------------------------------
// Shaped like a studio's real registry (tests/support/studio_workspace.cpp): every id a JSON
// number, no training_data blocks, a fifth of the 260 actors with a local folder, stray files.
// The walk: pick a numeric-id actor → sync → train → completed without reload → mark good →
// actors.json changed only there. The registry's posters are remote URLs: the browser asks
// for them, and the test answers them with a local image (they are the only requests allowed
// to leave 127.0.0.1).
// Types a search and waits until the answer to that very query is shown.
async function searchFor(page, text, count) {
  await page.getByLabel("Search actors").fill(text);
  await until(`results for ${text}`, async () => {
    const el = page.getByTestId("result-count");
    return (await el.getAttribute("data-query")) === text && (await el.textContent()) === count;
  });
}
async function studioWalk(browser, { emuUrl, serveEnv, pathDir }) {
  const ws = path.join(work, "studio");
  // The abort step above slowed the emulator down; trainings finish in seconds again.
  await fetch(emuUrl + "/_emulator/config", { method: "POST", body: JSON.stringify({ run_ms: 5000, queue_ms: 800 }) });
  await runQuiet(bin.demo, [ws, "--studio", "--actors", "260"]);
  fs.writeFileSync(
    path.join(ws, "actor-trainer.toml"),
    "[runpod]\npoll_requests_per_second = 20.0\npoll_queued_seconds = 1\npoll_training_seconds = 1\n" +
      'default_endpoint = "a100"\n' +
      '[[runpod.endpoints]]\nname = "a100"\ngpu = "A100 80GB"\nprice_per_second = 0.00076\nseconds_per_step = 1.5\n' +
      '[[runpod.endpoints]]\nname = "h100"\ngpu = "H100 80GB"\nprice_per_second = 0.00116\nseconds_per_step = 1.0\n',
  );
  const registryBefore = fs.readFileSync(path.join(ws, "actors.json"), "utf8");
  const actors = JSON.parse(registryBefore);
  const STUDIO_ACTOR = actors[37].name; // id 38, written as a JSON number
  const posterHosts = new Set(
    actors
      .flatMap((a) => Object.values(a.poster_frames).flatMap((v) => Object.values(v)))
      .concat(actors.map((a) => a.img))
      .map((u) => new URL(u).hostname),
  );
  const webhookPort = await freePort();
  // No ngrok on PATH here: the page must say so instead of offering a button that fails.
  const env = { ...serveEnv, PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${webhookPort}`, PATH: "/usr/bin:/bin" };
  const serve = await start(
    "serve-studio",
    bin.trainer,
    ["-w", ws, "serve", "--port", "0", "--webhook-port", String(webhookPort)],
    { env, ready: /API and UI: (http:\/\/[^\s]+)/, logDir: logs },
  );
  const url = serve.match[1];
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const offHost = [];
  let posters = 0;
  const posterPng = fs.readFileSync(path.join(repo, "web/e2e/poster.png"));
  await context.route("**/*", (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === "127.0.0.1" || host === "localhost") return route.continue();
    if (posterHosts.has(host)) return route.fulfill({ status: 200, contentType: "image/png", body: posterPng });
    return route.abort();
  });
  // A redirect to a remote poster is followed by the browser itself, past the route above;
  // such requests are counted here (and resolve nowhere: see --host-resolver-rules).
  context.on("request", (r) => {
    const host = new URL(r.url()).hostname;
    if (host === "127.0.0.1" || host === "localhost") return;
    if (posterHosts.has(host)) posters++;
    else offHost.push(r.url());
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const withImages = JSON.parse(fs.readFileSync(path.join(ws, "actors.json"), "utf8")).filter((a) =>
    fs.existsSync(path.join(ws, "data/actors", a.name, "training_data", "img_01.jpg")),
  ).length;

  await step("studio: the selector lists numeric-id actors with their data from the folders", async () => {
    await page.goto(url);
    await page.getByRole("dialog", { name: "Select an actor" }).waitFor();
    await until("260", async () => (await page.getByTestId("result-count").textContent()) === "260 actors");
    // The "has data" facet counts the folders' usable images: actors.json records none.
    await until(
      "facet",
      async () =>
        (await page.locator("label.toggle", { hasText: "has data" }).locator(".count").textContent()) ===
        String(withImages),
    );
    await until("posters", async () => posters > 0);
    await page.screenshot({ path: path.join(results, "studio-01-selector-open.png") });
  });

  await step("studio: the grid fills its width and long names keep the sex visible", async () => {
    for (const [width, height] of [
      [1440, 900],
      [768, 1024],
    ]) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(150);
      const strip = await page.evaluate(() => {
        const grid = document.querySelector(".grid");
        const cards = [...document.querySelectorAll(".card")];
        const right = Math.max(...cards.map((c) => c.getBoundingClientRect().right));
        return grid.getBoundingClientRect().right - right;
      });
      assert.ok(strip <= 14, `${width} px: ${strip} px blank at the right of the grid`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await searchFor(page, "0014", "1 actor");
    const card = page.locator(".card[data-actor-id]").first();
    assert.match(await card.locator(".card-meta").textContent(), /^female · /);
    const cut = await card.locator(".card-name").evaluate((el) => el.scrollHeight > el.clientHeight + 1);
    assert.equal(cut, false, "the name is cut");
  });

  await step("studio: pick actor 38 (a JSON number) and see its data: usable, excluded, ignored", async () => {
    await searchFor(page, "0038", "1 actor");
    const card = page.locator(".card[data-actor-id]").first();
    assert.equal(await card.getAttribute("data-actor-id"), "38");
    assert.match(await card.textContent(), /8 img \(\+1 bad\) · not synced/);
    await card.click();
    await until("page shows 38", async () => (await page.getByTestId("current-actor").textContent()) === STUDIO_ACTOR);
    await until("summary", async () =>
      /8 usable, 1 excluded/.test(await page.getByTestId("data-summary").textContent()),
    );
    assert.match(await page.getByTestId("data-summary").textContent(), /1 other file ignored/);
    assert.match(await page.getByTestId("ignored").textContent(), /notes\.md/);
    // The damaged file is a labelled tile, not a broken-image icon.
    assert.equal(await page.locator('.thumb-excluded[data-file="broken.jpg"]').count(), 1);
    assert.equal(await page.locator('.thumbs img[alt="broken.jpg"]').count(), 0);
    // Not synced yet: Start says why, in the server's words.
    assert.ok(await page.getByRole("button", { name: "Start training" }).isDisabled());
    await until("blocker", async () => /not synced to S3 yet/.test(await page.getByTestId("blockers").textContent()));
    // No ngrok program: the page says so and offers no button that would fail.
    assert.ok(await page.getByRole("button", { name: "Start ngrok" }).isDisabled());
    assert.match(await page.getByTestId("ngrok-unavailable").textContent(), /ngrok is not installed/);
  });

  await step("studio: Sync now records the usable images and leaves the bad one out", async () => {
    await page.getByRole("button", { name: "Sync now" }).click();
    await until("synced", async () => (await page.getByTestId("sync-state").textContent()) === "synced", 30000);
    assert.match(await page.getByTestId("sync-outcome").textContent(), /synced to S3 · 1 left out/);
    const after = JSON.parse(fs.readFileSync(path.join(ws, "actors.json"), "utf8"));
    assert.equal(after[37].training_data.count, 8);
    assert.equal(after[37].id, 38);
  });

  await step("studio: an endpoint without an id cannot be chosen to start, and says why", async () => {
    await page.locator("#endpoint").selectOption("h100");
    await until("blocked", async () =>
      /endpoint 'h100' has no RunPod endpoint id/.test(await page.getByTestId("blockers").textContent()),
    );
    assert.ok(await page.getByRole("button", { name: "Start training" }).isDisabled());
    assert.match(await page.locator("#endpoint").textContent(), /h100 · H100 80GB · \$0\.00116\/s \(no endpoint id\)/);
    await page.locator("#endpoint").selectOption("a100");
    await until("startable", async () => !(await page.getByRole("button", { name: "Start training" }).isDisabled()));
    const shown = await page.getByTestId("estimate").textContent();
    const sps = shown.match(/\(([\d.]+) s\/step/)?.[1] ?? "";
    assert.ok(sps.replace(/^0\.0*/, "").replace(".", "").length <= 3, `s/step shown as ${sps}`);
  });

  await step("studio: a training reaches completed in Progress without a reload, with step and loss kept", async () => {
    await page.getByRole("button", { name: "Start training" }).click();
    await until(
      "training",
      async () => /V1 training/.test(await page.getByTestId("version-status").textContent()),
      20000,
    );
    await page.evaluate(() => window.scrollTo(0, 0));
    await until(
      "step",
      async () => /step [1-9]\d*\//.test(await page.getByTestId("progress-facts").textContent()),
      15000,
    );
    await page.screenshot({ path: path.join(results, "studio-02-training-in-progress.png") });
    await until(
      "completed",
      async () => /V1 completed/.test(await page.getByTestId("version-status").textContent()),
      30000,
    );
    assert.ok(await page.getByRole("button", { name: "Abort" }).isDisabled());
    const facts = await page.getByTestId("progress-facts").textContent();
    assert.match(facts, /step \d+\/\d+/);
    assert.doesNotMatch(facts, /step –/);
    assert.match(facts, /loss 0\.\d{4}/);
    // The header's total follows the rows.
    await until("total", async () => {
      const head = await page.locator(".versions-panel h3").textContent();
      const row = await page.locator('[data-version="V1"]').textContent();
      const cost = row.match(/\$\d+\.\d+/)?.[0];
      return cost && head.endsWith("total " + cost);
    });
    await page.getByRole("button", { name: "Mark as good" }).waitFor();
  });

  await step("studio: mark as good changes that actor in actors.json and nothing else", async () => {
    await page.getByRole("button", { name: "Mark as good" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Confirm" }).click();
    await until("badge", async () => (await page.getByTestId("validated").count()) === 1);
    const before = JSON.parse(registryBefore);
    const after = JSON.parse(fs.readFileSync(path.join(ws, "actors.json"), "utf8"));
    for (let i = 0; i < before.length; i++) {
      if (i !== 37) assert.deepEqual(after[i], before[i], `actor ${i + 1} changed`);
    }
    const { training_data, validated_lora_model, good, ...rest } = after[37];
    const { good: oldGood, ...restBefore } = before[37];
    assert.deepEqual(rest, restBefore);
    assert.equal(validated_lora_model.version_name, "V1");
    assert.equal(good, true);
    assert.equal(training_data.synced, true);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(results, "studio-03-completed-with-versions.png") });
  });

  await step("studio: a training started from the CLI appears live", async () => {
    await runQuiet(bin.trainer, ["-w", ws, "--json", "train", "38", "--description", "from the command line"], env);
    await until("V2 listed", async () => (await page.locator('[data-version="V2"]').count()) === 1, 20000);
    await until(
      "V2 completed",
      async () => (await page.locator('[data-version="V2"] .badge.status').textContent()) === "completed",
      30000,
    );
  });

  await step("studio: the thumbnail strip says how many more there are", async () => {
    await page.getByTestId("choose-actor").click();
    await searchFor(page, "0033", "1 actor");
    await page.locator(".card[data-actor-id]").first().click();
    await until("20 usable", async () => /20 usable/.test(await page.getByTestId("data-summary").textContent()));
    assert.equal(await page.locator(".thumbs img").count(), 12);
    // 20 images and a .bmp that is left out: 21 tiles, 12 shown.
    await page.getByRole("button", { name: "+9 more" }).click();
    assert.equal(await page.locator(".thumbs img").count(), 20);
    assert.equal(await page.locator('.thumb-excluded[data-file="scan_01.bmp"]').count(), 1);
  });

  await step(
    "studio: Import history shows the plan, imports the manifest, and the versions panel shows the imported models",
    async () => {
      // The studio's manifest of actor 33 (the one on screen): two LoRAs trained before us, V7 validated.
      const name = actors[32].name;
      const models = "https://models-bucket.s3.us-west-1.amazonaws.com/actor_maker_user/custom-actors/models/";
      const lora = (n, good) => ({
        filename: `actor_33_V${n}.safetensors`,
        version: `V${n}`,
        s3_url: `${models}actor_33_V${n}.safetensors`,
        s3_accelerated_url: `https://models-bucket.s3-accelerate.amazonaws.com/actor_maker_user/custom-actors/models/actor_33_V${n}.safetensors`,
        size_bytes: 171969512,
        md5_hash: "5d41402abc4b2a76b9719d911017c592-19",
        last_modified: `2025-0${n - 2}-12T08:30:00+00:00`,
        created_date: `2025-0${n - 2}-12T08:00:00`,
        format: "safetensors",
        ...(good ? { good: true } : {}),
      });
      fs.mkdirSync(path.join(ws, "data/actor_manifests"), { recursive: true });
      fs.writeFileSync(
        path.join(ws, "data/actor_manifests/0033_manifest.json"),
        JSON.stringify(
          {
            character_id: "0033",
            character_name: name,
            metadata: { source: "actor_maker" },
            training_data: [],
            statistics: { training_images_count: 0 },
            custom_lora_models: [lora(6, false), lora(7, true)],
            training_data_good: true,
            base_images: [],
            lora_model: null,
          },
          null,
          2,
        ),
      );
      const registry = fs.readFileSync(path.join(ws, "actors.json"), "utf8");
      await page.getByRole("button", { name: "Import history" }).click();
      const dialog = page.getByRole("dialog", { name: "Import history" });
      await until("dry run", async () =>
        /1 manifest, 1 with something to record/.test(await dialog.getByTestId("import-summary").textContent()),
      );
      assert.match(await dialog.getByRole("list", { name: "Import plan" }).textContent(), /would record V7/);
      assert.equal(fs.readFileSync(path.join(ws, "actors.json"), "utf8"), registry, "the dry run changed actors.json");
      await page.screenshot({ path: path.join(results, "studio-06-import-dry-run.png") });
      await dialog.getByRole("button", { name: "Import 1 actor" }).click();
      await until("imported", async () =>
        /Imported: 2 versions/.test(await dialog.getByTestId("import-summary").textContent()),
      );
      await dialog.getByRole("button", { name: "Close" }).last().click();
      await until("V7 listed", async () => (await page.locator('[data-version="V7"] .badge.imported').count()) === 1);
      assert.equal(await page.locator('[data-version="V6"] .badge.imported').count(), 1);
      await until("validated V7", async () => (await page.getByTestId("validated").textContent()) === "validated V7");
      await page.locator('[data-version="V7"] .version-pick').click();
      await page.getByTestId("imported-note").waitFor();
      assert.equal(await page.getByRole("button", { name: "Load parameters" }).count(), 0);
      assert.ok(await page.getByRole("checkbox", { name: "compare V7" }).isDisabled());
    },
  );

  await step(
    "studio: an actor whose images live only in S3 is checked from the objects and counts as synced",
    async () => {
      const remote = actors.find((a) => !fs.existsSync(path.join(ws, "data/actors", a.name)));
      const key = `system_actors/training_data/${remote.name}/`;
      const prefix = `https://story-boards-assets.s3.us-west-1.amazonaws.com/${key}`;
      // The studio's images bucket on the test's S3 server, holding this actor's six images.
      const made = path.join(work, "remote-images");
      await runQuiet(bin.demo, ["--photos", made, "6"]);
      const s3 = serveEnv.S3_ENDPOINT_URL;
      assert.ok((await fetch(`${s3}/story-boards-assets`, { method: "PUT" })).ok, "create the images bucket");
      const names = fs.readdirSync(made).sort();
      assert.equal(names.length, 6);
      for (const name of names) {
        const put = await fetch(`${s3}/story-boards-assets/${key}${name}`, {
          method: "PUT",
          body: fs.readFileSync(path.join(made, name)),
        });
        assert.ok(put.ok, `PUT ${name}: ${put.status}`);
      }
      fs.writeFileSync(
        path.join(ws, `data/actor_manifests/${String(remote.id).padStart(4, "0")}_manifest.json`),
        JSON.stringify({
          character_id: String(remote.id).padStart(4, "0"),
          character_name: remote.name,
          training_data: names.map((name) => ({
            filename: name,
            local_path: null,
            s3_url: `${prefix}${name}`,
            status: "synced",
          })),
        }),
      );
      const applied = await json(url + "api/import", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Actor-Trainer": "1" },
        body: JSON.stringify({ dry_run: false }),
      });
      assert.equal(applied.applied.training_data_recorded, 1, JSON.stringify(applied));
      await page.getByTestId("choose-actor").click();
      await searchFor(page, remote.name, "1 actor");
      await page.locator(".card[data-actor-id]").first().click();
      await page.getByTestId("data-location").waitFor();
      const where = await page.getByTestId("data-location").textContent();
      assert.match(where, /In S3 only: no local copy/);
      assert.ok(where.includes(`Checked from the objects in s3://story-boards-assets/${key}`), where);
      assert.match(where, /data pull/);
      assert.match(await page.getByTestId("data-summary").textContent(), /6 usable in S3/);
      assert.equal(await page.locator(".thumbs .thumb-remote").count(), 6);
      assert.equal(await page.locator(".thumbs img").count(), 0, "no local thumbnail to draw");
      assert.equal(await page.getByTestId("sync-state").textContent(), "synced");
      assert.ok(await page.getByRole("button", { name: "Sync now" }).isDisabled());
      await page.screenshot({ path: path.join(results, "studio-07-s3-only-data.png") });
    },
  );

  await step("studio: fits a 390-px phone without sideways scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(150);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `390 px: ${overflow} px too wide`);
    await page.screenshot({ path: path.join(results, "studio-07-phone-390.png"), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  await step("studio: with no actor chosen, the page offers the way to choose one", async () => {
    const p = await context.newPage();
    await p.addInitScript(() => localStorage.removeItem("actor-trainer.actor")); // a first visit
    await p.goto(url);
    await p.getByRole("dialog", { name: "Select an actor" }).waitFor();
    await p.keyboard.press("Escape");
    await p.getByRole("button", { name: "Choose an actor" }).click();
    await p.getByRole("dialog", { name: "Select an actor" }).waitFor();
    await p.close();
  });

  await step("studio: only the registry's poster URLs left 127.0.0.1, and the page threw nothing", async () => {
    assert.deepEqual(offHost, []);
    assert.deepEqual(pageErrors, []);
  });
  await context.close();
  await serve.stop();
}

async function runQuiet(cmd, args, env) {
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(cmd, args, { encoding: "utf8", env: env ? { ...process.env, ...env } : process.env });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  console.error(`FAIL ${current}: ${e.stack ?? e}`);
  console.error(`logs: ${logs}`);
} finally {
  await stopAll();
}
const round = (xs) => xs?.map((x) => Math.round(x));
console.log(`browser tests: ${passed.length} passed${failed ? ", 1 failed" : ""}`);
console.log(
  `figures: selector open ms ${JSON.stringify(round(figures.selector_open_ms))}, search ms ${JSON.stringify(round(figures.search_ms))}, bundle ${figures.bundle_gzip_kb} KB gzipped`,
);
fs.writeFileSync(path.join(results, "e2e-figures.json"), JSON.stringify(figures, null, 2));
if (!failed && process.env.ATR_E2E_DOCS === "1") {
  // The user guide's pictures (docs/user-guide.md) come from these runs.
  const docs = path.join(repo, "docs/images");
  fs.mkdirSync(docs, { recursive: true });
  // From the studio-shaped workspace: numeric ids, data found in the folders.
  for (const f of ["01-selector-open.png", "02-training-in-progress.png", "03-completed-with-versions.png"]) {
    fs.copyFileSync(path.join(results, "studio-" + f), path.join(docs, f));
  }
  // From the demo walk: versions, previews, data quality.
  for (const f of [
    "07-loss-curve-and-previews.png",
    "08-preview-lightbox.png",
    "09-compare-previews.png",
    "10-image-findings.png",
    "11-data-quality.png",
  ]) {
    fs.copyFileSync(path.join(results, f), path.join(docs, f));
  }
}
if (!failed) fs.rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
