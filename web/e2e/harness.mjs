// Starts and stops what the browser tests need, all on 127.0.0.1 with free ports: s3rver, the
// RunPod emulator, the ngrok stand-in (as `ngrok` on PATH) and `actor-trainer serve`.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";

export const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

const children = new Set();

/** Starts a child; resolves once a line of its stdout matches `ready` (returns the match). */
export function start(name, cmd, args, { env = {}, ready, logDir, timeoutMs = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    const log = fs.createWriteStream(path.join(logDir, name + ".log"));
    let buffer = "";
    let done = false;
    const timer = setTimeout(() => {
      if (!done) reject(new Error(`${name} did not start within ${timeoutMs} ms; see ${log.path}`));
    }, timeoutMs);
    const onData = (chunk) => {
      log.write(chunk);
      if (done) return;
      buffer += chunk.toString();
      const m = buffer.match(ready);
      if (m) {
        done = true;
        clearTimeout(timer);
        resolve({ child, match: m, stop: () => stop(child) });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      children.delete(child);
      if (!done) {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}) before it was ready; see ${log.path}`));
      }
    });
  });
}

export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

export async function stopAll() {
  await Promise.all([...children].map(stop));
}

process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});
