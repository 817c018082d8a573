// The Actor Training page for one actor: data, parameters, estimate, webhook, start/abort,
// progress, console and versions. State comes from the API and live events.
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, api } from "../../api/client";
import { useEvent } from "../../api/events";
import type {
  ActorItem, FieldProblem, LogLine, Parameters, ParameterValue, ServerSettings, SyncEvent,
  TrainingData, TrainingPlan, Tunnel, Version,
} from "../../api/types";
import { formatCost, formatDuration } from "../../lib/format";
import { loadParameters, saveParameters } from "../../lib/storage";
import { ConsolePanel } from "../console/ConsolePanel";
import { VersionsPanel } from "../versions/VersionsPanel";
import { DataSummary } from "./DataSummary";
import { GuidelinesModal } from "./GuidelinesModal";
import { ParametersForm } from "./ParametersForm";
import { TunnelPanel } from "./TunnelPanel";

const FINAL = new Set(["completed", "failed", "cancelled", "timed_out", "lost"]);

interface Props {
  actor: ActorItem;
  settings: ServerSettings;
  tunnel: Tunnel | null;
  onTunnel: (t: Tunnel) => void;
  onActorChanged: () => void;
}

export function TrainingPage({ actor, settings, tunnel, onTunnel, onActorChanged }: Props) {
  const [data, setData] = useState<TrainingData | null>(null);
  const [plan, setPlan] = useState<TrainingPlan | null>(null);
  const [params, setParams] = useState<Parameters | null>(null);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [estimate, setEstimate] = useState<TrainingPlan["estimate"]>(null);
  const [endpoint, setEndpoint] = useState(settings.endpoints.find((e) => e.default)?.name ?? settings.endpoints[0]?.name ?? "");
  const [description, setDescription] = useState("");
  const [versions, setVersions] = useState<Version[]>([]);
  const [totalCost, setTotalCost] = useState(0);
  const [selectedVersion, setSelectedVersion] = useState<number | null>(null);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [sync, setSync] = useState<SyncEvent | null>(null);
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [guidelines, setGuidelines] = useState(false);
  const actorId = actor.id;

  const reloadData = useCallback(() => {
    api.trainingData(actorId).then(setData, (e: Error) => setMessage({ kind: "error", text: e.message }));
  }, [actorId]);
  const reloadVersions = useCallback(() => {
    api.versions(actorId).then((v) => {
      setVersions(v.items);
      setTotalCost(v.total_cost_usd);
      setSelectedVersion((sel) => sel ?? v.items[0]?.id ?? null);
    }, (e: Error) => setMessage({ kind: "error", text: e.message }));
  }, [actorId]);

  // A new actor: everything is loaded again; the form starts from the last-used parameters.
  useEffect(() => {
    setData(null); setPlan(null); setParams(null); setProblems([]); setVersions([]);
    setSelectedVersion(null); setLines([]); setSync(null); setMessage(null); setDescription("");
    reloadData();
    reloadVersions();
    api.plan(actorId, endpoint).then((p) => {
      setPlan(p);
      setParams(loadParameters(actorId) ?? p.parameters);
      setEstimate(p.estimate);
      setProblems(p.validation);
    }, (e: Error) => setMessage({ kind: "error", text: e.message }));
  }, [actorId]);

  // The server checks the parameters and estimates as the user edits (debounced).
  useEffect(() => {
    if (!params) return;
    const t = setTimeout(() => {
      api.checkPlan(actorId, endpoint, params).then((p) => {
        setProblems(p.validation);
        setEstimate(p.estimate);
      }, (e: unknown) => {
        if (e instanceof ApiError && e.fields.length) setProblems(e.fields);
        else setMessage({ kind: "error", text: (e as Error).message });
      });
    }, 200);
    return () => clearTimeout(t);
  }, [actorId, endpoint, params]);

  // Console lines of the selected version: history first, then live lines.
  useEffect(() => {
    setLines([]);
    if (selectedVersion == null) return;
    let cancelled = false;
    api.logs(selectedVersion).then((r) => {
      if (!cancelled) setLines((live) => mergeLines(r.items, live));
    }, () => undefined);
    return () => { cancelled = true; };
  }, [selectedVersion]);

  useEvent<LogLine>("log", (line) => {
    if (line.version_id === selectedVersion) setLines((old) => mergeLines(old, [line]));
  });
  useEvent<Version>("version", (v) => {
    if (v.actor_id !== actorId) return;
    setVersions((old) => {
      const i = old.findIndex((x) => x.id === v.id);
      if (i < 0) return [v, ...old];
      const next = old.slice();
      next[i] = v;
      return next;
    });
    if (FINAL.has(v.status)) onActorChanged();
  });
  useEvent<SyncEvent>("sync", (e) => {
    if (e.actor_id !== actorId) return;
    setSync(e);
    if (e.state !== "running") { reloadData(); onActorChanged(); api.plan(actorId, endpoint).then(setPlan, () => undefined); }
  });
  useEvent("reset", () => { reloadData(); reloadVersions(); });

  const active = useMemo(() => versions.find((v) => !FINAL.has(v.status)) ?? null, [versions]);
  const progressOf = active ?? versions.find((v) => v.id === selectedVersion) ?? null;

  const change = (name: string, value: ParameterValue) => setParams((p) => (p ? { ...p, [name]: value } : p));

  const autoAdjust = async () => {
    try {
      const p = await api.plan(actorId, endpoint);
      setPlan(p);
      setParams({ ...p.parameters });
      setMessage({ kind: "ok", text: `Auto-adjusted for ${p.image_count} images.` });
    } catch (e) {
      setMessage({ kind: "error", text: (e as Error).message });
    }
  };

  const start = async () => {
    if (!params) return;
    setBusy(true);
    setMessage(null);
    try {
      const v = await api.start(actorId, { endpoint, parameters: params, description }, crypto.randomUUID());
      saveParameters(actorId, params);
      setSelectedVersion(v.id);
      setVersions((old) => (old.some((x) => x.id === v.id) ? old : [v, ...old]));
      setMessage({ kind: "ok", text: `${v.name} sent to RunPod.` });
    } catch (e) {
      if (e instanceof ApiError && e.fields.length) setProblems(e.fields);
      setMessage({ kind: "error", text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const abort = async () => {
    if (!active) return;
    setBusy(true);
    try {
      await api.abort(active.id);
    } catch (e) {
      setMessage({ kind: "error", text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const startSync = async () => {
    setSync({ actor_id: actorId, state: "running", stage: "scan", done: 0, total: 0 });
    try {
      await api.sync(actorId);
    } catch (e) {
      setSync({ actor_id: actorId, state: "failed", error: { code: "", message: (e as Error).message } });
    }
  };

  const ep = settings.endpoints.find((e) => e.name === endpoint);
  const selected = versions.find((v) => v.id === selectedVersion);
  const canStart = !!params && problems.length === 0 && data?.sync === "synced" && !active && !busy;
  const whyNot = !params ? "loading" : problems.length ? "fix the parameters" : data?.sync !== "synced"
    ? "sync the training data first" : active ? `${active.name} is still ${active.status}` : "";

  return (
    <div className="training-page">
      <div className="column left">
        <DataSummary data={data} sync={sync} canSync={settings.s3_bucket_configured} onSync={startSync} />
        <section className="panel params-panel" aria-label="Parameters">
          <header className="panel-head">
            <h3>Parameters</h3>
            <div className="row">
              <button onClick={autoAdjust} disabled={!plan}>Auto-adjust</button>
              <button className="ghost" onClick={() => setGuidelines(true)}>Guidelines</button>
            </div>
          </header>
          {params && plan ? (
            <ParametersForm parameters={params} defaults={plan.parameters} choices={settings.choices}
              problems={problems} disabled={busy} onChange={change} />
          ) : <p className="muted">Loading the plan…</p>}
          <div className="field wide">
            <label htmlFor="description">Description</label>
            <textarea id="description" rows={2} value={description} placeholder="What this version tries"
              onChange={(e) => setDescription(e.target.value)} />
          </div>
          <div className="estimate-row">
            <label htmlFor="endpoint">Endpoint</label>
            <select id="endpoint" value={endpoint} onChange={(e) => setEndpoint(e.target.value)}>
              {settings.endpoints.map((e) => (
                <option key={e.name} value={e.name}>{e.name} · {e.gpu} · ${e.price_per_second}/s</option>
              ))}
            </select>
            <span data-testid="estimate">
              ≈ {formatDuration(estimate?.duration_seconds)} · {formatCost(estimate?.cost_usd)}
              {estimate && <span className="muted small"> ({estimate.seconds_per_step} s/step, {estimate.seconds_per_step_source})</span>}
            </span>
            {ep && !ep.configured && <span className="small error-text">endpoint id not configured</span>}
          </div>
          <div className="row actions">
            <button className="primary" onClick={start} disabled={!canStart} title={whyNot}>Start training</button>
            <button onClick={abort} disabled={!active || busy}>Abort</button>
            {!canStart && whyNot && <span className="small muted">{whyNot}</span>}
          </div>
          {message && <p className={message.kind === "error" ? "error-text" : "ok-text"} role="status">{message.text}</p>}
        </section>
        <TunnelPanel tunnel={tunnel} onTunnel={onTunnel} />
      </div>
      <div className="column right">
        <ProgressPanel version={progressOf} />
        <ConsolePanel title={selected ? selected.name : ""} lines={lines} />
        <VersionsPanel actorId={actorId} versions={versions} totalCost={totalCost} selectedId={selectedVersion}
          onSelect={setSelectedVersion} onLoadParameters={(p) => setParams({ ...p })}
          onChanged={() => { reloadVersions(); onActorChanged(); }}
          onError={(text) => setMessage({ kind: "error", text })} />
      </div>
      {guidelines && <GuidelinesModal onClose={() => setGuidelines(false)} />}
    </div>
  );
}

function mergeLines(a: LogLine[], b: LogLine[]): LogLine[] {
  const seen = new Map<number, LogLine>();
  for (const l of a) seen.set(l.seq, l);
  for (const l of b) seen.set(l.seq, l);
  return [...seen.values()].sort((x, y) => x.seq - y.seq);
}

function ProgressPanel({ version }: { version: Version | null }) {
  const p = version?.progress;
  const percent = p?.percent ?? (p?.step != null && p.total_steps ? (100 * p.step) / p.total_steps : null);
  return (
    <section className="panel progress-panel" aria-label="Progress">
      <header className="panel-head">
        <h3>Progress</h3>
        {version && <span className={"badge status " + version.status} data-testid="version-status">{version.name} {version.status.replace("_", " ")}</span>}
      </header>
      <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent ?? undefined}>
        <div className="progress-fill" style={{ width: `${version?.status === "completed" ? 100 : percent ?? 0}%` }} />
      </div>
      <div className="progress-facts small" data-testid="progress-facts">
        <span>{p?.stage ?? (version ? version.status : "no training")}</span>
        <span>step {p?.step ?? "–"}/{p?.total_steps ?? version?.parameters.max_train_steps ?? "–"}</span>
        <span>loss {p?.loss != null ? p.loss.toFixed(4) : "–"}</span>
        <span>ETA {formatDuration(p?.eta_seconds)}</span>
      </div>
    </section>
  );
}
