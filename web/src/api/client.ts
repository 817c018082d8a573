// The one API client of the page. Reads are plain GETs; every state change sends
// `X-Actor-Trainer: 1` (the server refuses cross-origin writes without it) and JSON.
import type {
  ActorItem,
  ActorPage,
  Batch,
  BatchPlan,
  BatchRequest,
  Budget,
  BudgetCaps,
  Stats,
  Comparison,
  Curve,
  ImportRun,
  LogLine,
  Parameters,
  PreviewList,
  ServerSettings,
  TrainingData,
  TrainingPlan,
  Tunnel,
  Version,
} from "./types";

/** An answer other than 2xx, with the server's error code, message and field problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

// When `serve` runs with --auth-token, the page asks for the token once per browser session.
// It goes in the Authorization header of every call, and in the `atr_token` cookie for what
// cannot send headers (the event stream, thumbnails); the server takes the cookie for reads only.
const TOKEN_KEY = "actor-trainer.token";
let unauthorized: () => void = () => undefined;

export function onUnauthorized(handler: () => void) {
  unauthorized = handler;
}

export function setToken(token: string) {
  sessionStorage.setItem(TOKEN_KEY, token);
  document.cookie = `atr_token=${encodeURIComponent(token)}; path=/; SameSite=Strict`;
}

/** True when this browser session has given a token (so a 401 means it was refused). */
export function hasToken(): boolean {
  return !!sessionStorage.getItem(TOKEN_KEY);
}

function authHeaders(): Record<string, string> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: "Bearer " + token } : {};
}

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
  signal?: AbortSignal,
): Promise<T> {
  const init: RequestInit = { method, signal, headers: { Accept: "application/json", ...authHeaders(), ...headers } };
  if (method !== "GET") {
    init.headers = { ...init.headers, "X-Actor-Trainer": "1", "Content-Type": "application/json" };
    init.body = JSON.stringify(body ?? {});
  }
  const res = await fetch(path, init);
  const text = await res.text();
  const doc: unknown = text ? JSON.parse(text) : null;
  if (res.status === 401) unauthorized();
  if (!res.ok) {
    const err = (doc as { error?: { code?: string; message?: string; fields?: { field: string; message: string }[] } })
      ?.error;
    throw new ApiError(
      res.status,
      err?.code ?? "http_" + res.status,
      err?.message ?? res.statusText,
      err?.fields ?? [],
    );
  }
  return doc as T;
}

export interface ActorQuery {
  q: string;
  sex: string[];
  ethnicity: string[];
  hasData: boolean;
  hasModel: boolean;
  limit: number;
  offset: number;
}

const enc = encodeURIComponent;

export const api = {
  settings: () => call<ServerSettings>("GET", "/api/settings"),
  actors: (query: ActorQuery, signal?: AbortSignal) => {
    const p = new URLSearchParams();
    if (query.q) p.set("q", query.q);
    if (query.sex.length) p.set("sex", query.sex.join(","));
    if (query.ethnicity.length) p.set("ethnicity", query.ethnicity.join(","));
    if (query.hasData) p.set("has_data", "true");
    if (query.hasModel) p.set("has_model", "true");
    p.set("limit", String(query.limit));
    p.set("offset", String(query.offset));
    return call<ActorPage>("GET", "/api/actors?" + p.toString(), undefined, undefined, signal);
  },
  actor: (id: string) => call<ActorItem>("GET", `/api/actors/${enc(id)}`),
  trainingData: (id: string) => call<TrainingData>("GET", `/api/actors/${enc(id)}/training-data`),
  sync: (id: string) => call<unknown>("POST", `/api/actors/${enc(id)}/sync`, {}),
  plan: (id: string, endpoint?: string) =>
    call<TrainingPlan>("GET", `/api/actors/${enc(id)}/training-plan${endpoint ? "?endpoint=" + enc(endpoint) : ""}`),
  checkPlan: (id: string, endpoint: string, parameters: Parameters) =>
    call<TrainingPlan>("POST", `/api/actors/${enc(id)}/training-plan`, { endpoint, parameters }),
  versions: (id: string) =>
    call<{ items: Version[]; total_cost_usd: number; preview_cost_usd: number }>(
      "GET",
      `/api/actors/${enc(id)}/training-versions`,
    ),
  start: (id: string, body: { endpoint: string; parameters: Parameters; description: string }, key: string) =>
    call<Version & { created: boolean }>("POST", `/api/actors/${enc(id)}/training-versions`, body, {
      "Idempotency-Key": key,
    }),
  abort: (vid: number) => call<Version>("POST", `/api/training-versions/${vid}/abort`, {}),
  refresh: (vid: number) => call<Version>("POST", `/api/training-versions/${vid}/refresh`, {}),
  logs: (vid: number, after = 0) =>
    call<{ items: LogLine[]; next_after: number }>(
      "GET",
      `/api/training-versions/${vid}/logs?after=${after}&limit=1000`,
    ),
  curve: (vid: number) => call<Curve>("GET", `/api/training-versions/${vid}/curve`),
  previews: (vid: number) => call<PreviewList>("GET", `/api/training-versions/${vid}/previews`),
  startPreviews: (vid: number) => call<PreviewList>("POST", `/api/training-versions/${vid}/previews`, {}),
  compare: (left: number, right: number) =>
    call<Comparison>("GET", `/api/training-versions/compare?left=${left}&right=${right}`),
  markGood: (id: string, versionId: number) =>
    call<unknown>("POST", `/api/actors/${enc(id)}/mark-good`, { version_id: versionId }),
  clearGood: (id: string) => call<unknown>("DELETE", `/api/actors/${enc(id)}/mark-good`),
  importHistory: (dryRun: boolean) => call<ImportRun>("POST", "/api/import", { dry_run: dryRun }),
  retry: (vid: number, key: string) =>
    call<Version>("POST", `/api/training-versions/${vid}/retry`, {}, { "Idempotency-Key": key }),
  budget: () => call<Budget>("GET", "/api/budget"),
  setBudget: (caps: BudgetCaps) => call<Budget>("PUT", "/api/budget", caps),
  resetBudget: () => call<Budget>("DELETE", "/api/budget"),
  batchPlan: (request: BatchRequest) => call<BatchPlan>("POST", "/api/batch-plan", request),
  startBatch: (request: BatchRequest, key: string) =>
    call<Batch>("POST", "/api/batches", request, { "Idempotency-Key": key }),
  batch: (id: number) => call<Batch>("GET", `/api/batches/${id}`),
  batches: () => call<{ items: Batch[] }>("GET", "/api/batches"),
  cancelBatch: (id: number) => call<Batch>("POST", `/api/batches/${id}/cancel`, {}),
  stats: (since?: string) => call<Stats>("GET", "/api/stats" + (since ? "?since=" + enc(since) : "")),
  tunnel: () => call<Tunnel>("GET", "/api/tunnel"),
  tunnelStart: () => call<Tunnel>("POST", "/api/tunnel/start", {}),
  tunnelStop: () => call<Tunnel>("POST", "/api/tunnel/stop", {}),
};
