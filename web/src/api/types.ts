// Wire types of the Actor Trainer API (docs/api.md). The server owns every rule; these only
// describe what it sends.

export type SyncState = "synced" | "out_of_sync" | "not_synced" | "no_data";
export type VersionStatus =
  | "pending"
  | "queued"
  | "training"
  | "completed"
  | "failed"
  | "cancelled"
  | "timed_out"
  | "lost";
export type LogKind = "info" | "success" | "warning" | "error" | "request" | "response";

export interface ValidatedModel {
  version_id: string;
  version_name: string;
  lora_url: string;
  marked_at: string;
}

export interface ActorItem {
  /** The actor's key: the registry id as text (38 → "38"), else the name. Every resource,
   *  event and URL names the actor by it. */
  id: string;
  /** The registry's own id value, as the file has it. */
  registry_id: number | string | null;
  name: string;
  sex: string | null;
  ethnicity: string | null;
  age: string | null;
  description: string | null;
  poster_url: string | null;
  training_data: {
    count: number;
    excluded: number;
    ignored: number;
    recorded: number;
    synced: boolean;
    state: SyncState;
    /** "s3": no local copy; the recorded S3 objects are the data */
    location: "local" | "s3";
  };
  good: boolean;
  validated_lora_model: ValidatedModel | null;
  latest_version: { name: string; status: VersionStatus } | null;
}

export interface ActorPage {
  total: number;
  items: ActorItem[];
  facets: {
    sex: Record<string, number>;
    ethnicity: Record<string, number>;
    has_data: number;
    has_model: number;
  };
}

export interface Finding {
  severity: "error" | "warning";
  code: string;
  file: string;
  message: string;
}

export interface TrainingFile {
  name: string;
  status: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
  md5: string;
  has_caption: boolean;
  /** null for an object that lives only in S3 (no local file to draw) */
  thumbnail_url: string | null;
  s3_url?: string;
}

export interface TrainingData {
  actor: { id: string; registry_id: number | string | null; name: string };
  folder: string;
  count: number;
  /** "s3": no local copy; `s3_urls` (the recorded objects) are what trains */
  location: "local" | "s3";
  s3_urls?: string[];
  /** S3-only: where the objects were read and checked from; null when only the record was read */
  s3_checked?: string | null;
  excluded: string[];
  ignored: string[];
  bytes: number;
  captions: number;
  formats: Record<string, number>;
  sync: SyncState;
  errors: number;
  warnings: number;
  files: TrainingFile[];
  findings: Finding[];
}

export type ParameterValue = number | string | boolean;
export type Parameters = Record<string, ParameterValue>;

export interface FieldProblem {
  field: string;
  message: string;
}

export interface Estimate {
  endpoint: string;
  seconds_per_step: number;
  seconds_per_step_source: string;
  duration_seconds: number;
  cost_usd: number;
}

/** One reason a training cannot start now, from the server. */
export interface Blocker {
  code: string;
  message: string;
  version_id?: number;
}

export interface TrainingPlan {
  image_count: number;
  blockers: Blocker[];
  parameters: Parameters;
  defaults: Parameters;
  validation: FieldProblem[];
  estimate: Estimate | null;
  sync: SyncState;
}

export interface Endpoint {
  name: string;
  gpu: string;
  price_per_second: number;
  seconds_per_step: number;
  configured: boolean;
  default: boolean;
}

export interface ServerSettings {
  endpoints: Endpoint[];
  runpod_configured: boolean;
  s3_bucket_configured: boolean;
  runpod_base_url: string;
  runpod_official: boolean;
  /** The server's parameter table, in form order: the form and the guidelines are drawn from it. */
  parameters: ParameterSpec[];
  webhook: { mode: string; base_url: string | null };
}

export interface ParameterSpec {
  name: string;
  kind: "integer" | "decimal" | "open_decimal" | "flag" | "choice" | "text";
  label: string;
  what: string;
  good: string;
  default: ParameterValue;
  min: number | null;
  max: number | null;
  step: number | null;
  choices: string[];
}

export interface Progress {
  stage: string;
  step: number | null;
  total_steps: number | null;
  percent: number | null;
  loss: number | null;
  eta_seconds: number | null;
  text: string;
}

export interface Version {
  id: number;
  actor_id: string;
  actor_name: string;
  name: string;
  status: VersionStatus;
  submission: string;
  job_id: string | null;
  model_name: string;
  request_id: string;
  endpoint: string;
  description: string;
  image_count: number;
  /** null for a version imported from a studio manifest: trained before us, parameters unknown */
  parameters: Parameters | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
  progress: Progress | null;
  delay_ms: number | null;
  execution_ms: number | null;
  lora_url: string | null;
  model_size_bytes: number | null;
  message: string;
  error: string | null;
  cost_usd: number | null;
  good: boolean;
  imported: boolean;
  /** the policy.ttl sent with /run: RunPod deletes the job this long after submission */
  job_ttl_seconds: number | null;
  /** set while a training sits at its last step with nothing changing: what is known */
  stalled: string | null;
}

export interface ImportStep {
  what: string;
  applies: boolean;
  why: string | null;
}

export interface ImportRun {
  folder: string;
  dry_run: boolean;
  manifests: number;
  changing: number;
  actors: {
    manifest: string;
    actor_id: string | null;
    actor_name: string;
    changes: boolean;
    training_data_good: boolean | null;
    steps: ImportStep[];
  }[];
  applied: { versions_imported: number; training_data_recorded: number; validated_models_recorded: number } | null;
}

export interface LogLine {
  seq: number;
  version_id: number;
  at: string;
  kind: LogKind;
  text: string;
  actor_id?: string;
}

export interface Comparison {
  left: { id: number; name: string };
  right: { id: number; name: string };
  parameters: { name: string; left: ParameterValue; right: ParameterValue; differs: boolean }[];
}

export interface Tunnel {
  mode: "public_url" | "ngrok" | "none";
  webhook_base_url: string | null;
  ngrok: {
    state: string;
    public_url: string | null;
    message: string;
    binary_found: boolean;
    token_configured: boolean;
  };
}

export interface SyncEvent {
  actor_id: string;
  state: "running" | "done" | "incomplete" | "failed";
  stage?: string;
  done?: number;
  total?: number;
  error?: { code: string; message: string };
  excluded?: string[];
  ignored?: string[];
  failed?: string[];
}
