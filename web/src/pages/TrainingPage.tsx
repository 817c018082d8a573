// The Actor Training page for one actor: data, parameters, estimate, webhook, start/abort,
// progress, console and versions. State comes from the API and live events.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, api } from "../api/client";
import { useEvent } from "../api/events";
import type {
  ActorItem,
  Blocker,
  Estimate,
  FieldProblem,
  LogLine,
  Parameters,
  ParameterValue,
  ServerSettings,
  SyncEvent,
  TrainingData,
  TrainingPlan,
  Tunnel,
  Version,
} from "../api/types";
import { formatCost, formatDuration, formatSecondsPerStep } from "../lib/format";
import { loadParameters, saveParameters } from "../lib/storage";
import { ConsolePanel } from "../features/console/ConsolePanel";
import { VersionsPanel } from "../features/versions/VersionsPanel";
import { DataSummary } from "../features/training/DataSummary";
import { GuidelinesModal } from "../features/training/GuidelinesModal";
import { ParametersForm } from "../features/training/ParametersForm";
import { TunnelPanel } from "../features/training/TunnelPanel";

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
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [blockers, setBlockers] = useState<Blocker[]>([]);
  const [aborting, setAborting] = useState(false);
  const [planTick, setPlanTick] = useState(0);
  const [endpoint, setEndpoint] = useState(
    settings.endpoints.find((e) => e.default)?.name ?? settings.endpoints[0]?.name ?? "",
  );
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

  // The actor on screen now: an answer about another one (asked before the user switched; a
  // first scan measures every image and may take seconds) is dropped, not shown.
  const shownActor = useRef(actorId);
  shownActor.current = actorId;
  const reloadData = useCallback(() => {
    api.trainingData(actorId).then(
      (d) => {
        if (d.actor.id === shownActor.current) setData(d);
      },
      (e: Error) => setMessage({ kind: "error", text: e.message }),
    );
  }, [actorId]);
  const reloadVersions = useCallback(() => {
    api.versions(actorId).then(
      (v) => {
        setVersions(v.items);
        setTotalCost(v.total_cost_usd);
        setSelectedVersion((sel) => sel ?? v.items[0]?.id ?? null);
      },
      (e: Error) => setMessage({ kind: "error", text: e.message }),
    );
  }, [actorId]);

  // A new actor: everything is loaded again; the form starts from the last-used parameters.
  useEffect(() => {
    setData(null);
    setPlan(null);
    setParams(null);
    setProblems([]);
    setVersions([]);
    setBlockers([]);
    setAborting(false);
    setSelectedVersion(null);
    setLines([]);
    setSync(null);
    setMessage(null);
    setDescription("");
    reloadData();
    reloadVersions();
    api.plan(actorId, endpoint).then(
      (p) => {
        setPlan(p);
        setParams(loadParameters(actorId) ?? p.parameters);
        setEstimate(p.estimate);
        setProblems(p.validation);
        setBlockers(p.blockers);
      },
      (e: Error) => setMessage({ kind: "error", text: e.message }),
    );
    // For a new actor only: a change of endpoint keeps the form and goes through the check below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [actorId, reloadData, reloadVersions]);

  // The server checks the parameters and estimates as the user edits (debounced).
  useEffect(() => {
    if (!params) return;
    const t = setTimeout(() => {
      api.checkPlan(actorId, endpoint, params).then(
        (p) => {
          setProblems(p.validation);
          setEstimate(p.estimate);
          setBlockers(p.blockers);
        },
        (e: unknown) => {
          if (e instanceof ApiError && e.fields.length) setProblems(e.fields);
          else setMessage({ kind: "error", text: (e as Error).message });
        },
      );
    }, 200);
    return () => clearTimeout(t);
  }, [actorId, endpoint, params, planTick]);
  // What can block a start changes with versions and syncs: ask the server again.
  const recheck = useCallback(() => setPlanTick((n) => n + 1), []);

  // Console lines of the selected version: history first, then live lines.
  useEffect(() => {
    setLines([]);
    if (selectedVersion == null) return;
    let cancelled = false;
    api.logs(selectedVersion).then(
      (r) => {
        if (!cancelled) setLines((live) => mergeLines(r.items, live));
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [selectedVersion]);

  useEvent<LogLine>("log", (line) => {
    if (line.version_id === selectedVersion) setLines((old) => mergeLines(old, [line]));
  });
  useEvent<Version>("version", (v) => {
    if (v.actor_id !== actorId) return;
    const known = versions.find((x) => x.id === v.id);
    setVersions((old) => {
      const i = old.findIndex((x) => x.id === v.id);
      if (i < 0) return [v, ...old];
      const next = old.slice();
      next[i] = v;
      return next;
    });
    // A new version or a final status changes the total cost and what blocks the next start.
    if (!known || (FINAL.has(v.status) && known.status !== v.status) || known.cost_usd !== v.cost_usd) {
      reloadVersions();
      recheck();
    }
    if (FINAL.has(v.status)) onActorChanged();
  });
  useEvent<SyncEvent>("sync", (e) => {
    if (e.actor_id !== actorId) return;
    setSync(e);
    if (e.state !== "running") {
      reloadData();
      onActorChanged();
      api.plan(actorId, endpoint).then(setPlan, () => undefined);
      recheck();
    }
  });
  useEvent("reset", () => {
    reloadData();
    reloadVersions();
    recheck();
  });

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
      recheck();
    } catch (e) {
      if (e instanceof ApiError && e.fields.length) setProblems(e.fields);
      setMessage({ kind: "error", text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const abort = async () => {
    if (!active) return;
    setAborting(false);
    setBusy(true);
    try {
      const v = await api.abort(active.id);
      setVersions((old) => old.map((x) => (x.id === v.id ? v : x)));
      reloadVersions();
      recheck();
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
  // The server says what blocks a start (RunPod key, endpoint id, data, an active version);
  // the page only adds that the form is loading or has invalid fields.
  const canStart = !!params && problems.length === 0 && blockers.length === 0 && !busy;
  const whyNot = !params ? "loading" : problems.length ? "fix the parameters" : (blockers[0]?.message ?? "");
  const unknownSubmission =
    !!active &&
    active.status === "pending" &&
    !active.job_id &&
    (active.submission === "sending" || active.submission === "unknown");

  return (
    <div className="training-page">
      <div className="column left">
        <DataSummary data={data} sync={sync} canSync={settings.s3_bucket_configured} onSync={startSync} />
        <section className="panel params-panel" aria-label="Parameters">
          <header className="panel-head">
            <h3>Parameters</h3>
            <div className="row">
              <button onClick={autoAdjust} disabled={!plan}>
                Auto-adjust
              </button>
              <button className="ghost" onClick={() => setGuidelines(true)}>
                Guidelines
              </button>
            </div>
          </header>
          {params && plan ? (
            <ParametersForm
              parameters={params}
              defaults={plan.parameters}
              table={settings.parameters}
              problems={problems}
              disabled={busy}
              onChange={change}
            />
          ) : (
            <p className="muted">Loading the plan…</p>
          )}
          <div className="field wide">
            <label htmlFor="description">Description</label>
            <textarea
              id="description"
              rows={2}
              value={description}
              placeholder="What this version tries"
              onChange={(e) => setDescription(e.target.value)}
            />
          </div>
          <div className="estimate-row">
            <label htmlFor="endpoint">Endpoint</label>
            <select id="endpoint" value={endpoint} onChange={(e) => setEndpoint(e.target.value)}>
              {settings.endpoints.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.name} · {e.gpu} · ${e.price_per_second}/s{e.configured ? "" : " (no endpoint id)"}
                </option>
              ))}
            </select>
            <span data-testid="estimate">
              ≈ {formatDuration(estimate?.duration_seconds)} · {formatCost(estimate?.cost_usd)}
              {estimate && (
                <span className="muted small">
                  {" "}
                  ({formatSecondsPerStep(estimate.seconds_per_step)} s/step, {estimate.seconds_per_step_source})
                </span>
              )}
            </span>
            {ep && !ep.configured && <span className="small error-text">no endpoint id for {ep.name}</span>}
          </div>
          <div className="row actions">
            <button className="primary" onClick={start} disabled={!canStart} title={whyNot}>
              Start training
            </button>
            <button onClick={() => setAborting(true)} disabled={!active || busy}>
              {unknownSubmission ? "Release" : "Abort"}
            </button>
          </div>
          {aborting && active && (
            <div className="confirm" role="alertdialog" aria-label="Confirm abort">
              <span>
                {unknownSubmission
                  ? `Release ${active.name}? Its submission is unknown, so RunPod may hold a job we cannot cancel; it stays in the history and no longer blocks a new training.`
                  : `Abort ${active.name}? RunPod stops the job; the time it already ran is paid for.`}
              </span>
              <button className="primary" autoFocus onClick={abort}>
                {unknownSubmission ? "Release" : "Abort training"}
              </button>
              <button onClick={() => setAborting(false)}>Keep it</button>
            </div>
          )}
          {!canStart && (params ? problems.length > 0 || blockers.length > 0 : false) && (
            <ul className="blockers small" data-testid="blockers" aria-label="Why a training cannot start">
              {problems.length > 0 && <li>fix the parameters marked above</li>}
              {blockers.map((b) => (
                <li key={b.code + (b.version_id ?? "")} data-code={b.code}>
                  {b.message}
                </li>
              ))}
            </ul>
          )}
          {message && (
            <p className={message.kind === "error" ? "error-text" : "ok-text"} role="status">
              {message.text}
            </p>
          )}
        </section>
        <TunnelPanel tunnel={tunnel} onTunnel={onTunnel} />
      </div>
      <div className="column right">
        <ProgressPanel version={progressOf} />
        <ConsolePanel title={selected ? selected.name : ""} lines={lines} />
        <VersionsPanel
          actorId={actorId}
          versions={versions}
          totalCost={totalCost}
          selectedId={selectedVersion}
          onSelect={setSelectedVersion}
          onLoadParameters={(p) => setParams({ ...p })}
          onRerun={(v) => {
            if (v.parameters) setParams({ ...v.parameters });
            if (settings.endpoints.some((e) => e.name === v.endpoint)) setEndpoint(v.endpoint);
            setDescription(`re-run of ${v.name}`);
            setMessage({
              kind: "ok",
              text: `${v.name}'s parameters are in the form: change what you want, then Start training (a new version).`,
            });
          }}
          onChanged={() => {
            reloadVersions();
            onActorChanged();
          }}
          onError={(text) => setMessage({ kind: "error", text })}
        />
      </div>
      {guidelines && <GuidelinesModal table={settings.parameters} onClose={() => setGuidelines(false)} />}
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
  const ended = !!version && FINAL.has(version.status);
  return (
    <section className="panel progress-panel" aria-label="Progress">
      <header className="panel-head">
        <h3>Progress</h3>
        {version && (
          <span className={"badge status " + version.status} data-testid="version-status">
            {version.name} {version.status.replace("_", " ")}
          </span>
        )}
        {version?.stalled && (
          <span className="badge warn" data-testid="version-stalled" title={version.stalled}>
            stalled
          </span>
        )}
      </header>
      {version?.stalled && (
        <p className="warn-text small" data-testid="stall-note">
          {version.stalled}
        </p>
      )}
      <div
        className="progress-track"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
      >
        <div
          className="progress-fill"
          style={{ width: `${version?.status === "completed" ? 100 : (percent ?? 0)}%` }}
        />
      </div>
      <div className="progress-facts small" data-testid="progress-facts">
        <span>
          {ended ? version.status.replace("_", " ") : (p?.stage ?? (version ? version.status : "no training"))}
        </span>
        <span>
          step {p?.step ?? "–"}/{p?.total_steps ?? version?.parameters?.max_train_steps ?? "–"}
        </span>
        <span>loss {p?.loss != null ? p.loss.toFixed(4) : "–"}</span>
        {ended ? (
          <span>
            ran {formatDuration(version.duration_seconds)} · {formatCost(version.cost_usd)}
          </span>
        ) : (
          <span>ETA {formatDuration(p?.eta_seconds)}</span>
        )}
      </div>
    </section>
  );
}
