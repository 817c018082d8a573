// Versions of the actor: history, details with parameters, loss curve and preview images, load
// into the form, compare two (parameters, curves overlaid, previews prompt by prompt), mark as
// good or clear it (both ask for confirmation).
import { useCallback, useEffect, useState } from "react";
import { api } from "../../api/client";
import { useEvent } from "../../api/events";
import type { Comparison, Curve, Parameters, Preview, Version } from "../../api/types";
import { LossCurve } from "./LossCurve";
import { PreviewGallery, PreviewGrid } from "./PreviewGrid";
import { formatCost, formatDuration, formatTime } from "../../lib/format";

// The curve and previews of one version, fetched again when its events say they changed.
function useVersionMedia(version: Version | null, onError: (message: string) => void) {
  const [curve, setCurve] = useState<Curve | null>(null);
  const [previews, setPreviews] = useState<Preview[]>([]);
  const id = version?.id ?? null;
  const points = version?.curve_points ?? 0;
  const status = version?.status;
  useEffect(() => {
    if (id === null) return setCurve(null);
    let stale = false;
    api.curve(id).then(
      (c) => !stale && setCurve(c),
      (e: Error) => onError(e.message),
    );
    return () => {
      stale = true;
    };
  }, [id, points, status, onError]);
  const reloadPreviews = useCallback(() => {
    if (id === null) return setPreviews([]);
    api.previews(id).then(
      (l) => setPreviews(l.items),
      (e: Error) => onError(e.message),
    );
  }, [id, onError]);
  useEffect(reloadPreviews, [reloadPreviews]);
  useEvent<Preview>("preview", (p) => {
    if (p.version_id !== id) return;
    setPreviews((old) => {
      const i = old.findIndex((x) => x.id === p.id);
      if (i < 0) return [...old, p];
      const next = old.slice();
      next[i] = p;
      return next;
    });
  });
  return { curve, previews, setPreviews };
}

interface Props {
  actorId: string;
  versions: Version[];
  totalCost: number;
  selectedId: number | null;
  onSelect: (id: number) => void;
  onLoadParameters: (p: Parameters) => void;
  /** Puts the version's parameters and endpoint in the form for a new version. */
  onRerun: (v: Version) => void;
  onChanged: () => void;
  onError: (message: string) => void;
}

export function VersionsPanel({
  actorId,
  versions,
  totalCost,
  selectedId,
  onSelect,
  onLoadParameters,
  onRerun,
  onChanged,
  onError,
}: Props) {
  const [compareIds, setCompareIds] = useState<number[]>([]);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [confirming, setConfirming] = useState<"good" | "clear" | null>(null);
  const selected = versions.find((v) => v.id === selectedId) ?? null;
  const selectedParams = selected?.parameters ?? null;
  const media = useVersionMedia(selected, onError);
  const [leftId, rightId] = [...compareIds].sort((a, b) => a - b);
  const leftVersion = compareIds.length === 2 ? (versions.find((v) => v.id === leftId) ?? null) : null;
  const rightVersion = compareIds.length === 2 ? (versions.find((v) => v.id === rightId) ?? null) : null;
  const leftMedia = useVersionMedia(leftVersion, onError);
  const rightMedia = useVersionMedia(rightVersion, onError);

  const renderPreviews = async (v: Version) => {
    try {
      const started = await api.startPreviews(v.id);
      if (v.id === selected?.id) media.setPreviews(started.items);
    } catch (e) {
      onError((e as Error).message);
    }
  };
  const retry = async (v: Version) => {
    try {
      await api.retry(v.id, crypto.randomUUID());
      onChanged();
    } catch (e) {
      onError((e as Error).message);
    }
  };
  const markFromCompare = (v: Version) => {
    onSelect(v.id);
    setConfirming("good");
  };

  useEffect(() => {
    setCompareIds([]);
    setComparison(null);
    setConfirming(null);
  }, [actorId]);

  useEffect(() => {
    if (compareIds.length !== 2) {
      setComparison(null);
      return;
    }
    const [l, r] = [...compareIds].sort((a, b) => a - b) as [number, number];
    api.compare(l, r).then(setComparison, (e: Error) => onError(e.message));
  }, [compareIds, onError]);

  const toggleCompare = (id: number) =>
    setCompareIds((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids.slice(-1), id]));

  const confirm = async () => {
    if (!selected) return;
    try {
      if (confirming === "good") await api.markGood(actorId, selected.id);
      else await api.clearGood(actorId);
      onChanged();
    } catch (e) {
      onError((e as Error).message);
    }
    setConfirming(null);
  };

  return (
    <section className="panel versions-panel" aria-label="Versions">
      <header className="panel-head">
        <h3>
          Versions{" "}
          <span className="muted">
            {versions.length} · total {formatCost(totalCost)}
          </span>
        </h3>
      </header>
      {versions.length === 0 && <p className="muted">No training yet.</p>}
      <ul className="version-list" role="listbox" aria-label="Version history">
        {versions.map((v) => (
          <li
            key={v.id}
            role="option"
            aria-selected={v.id === selectedId}
            className={"version-row" + (v.id === selectedId ? " selected" : "")}
            data-version={v.name}
          >
            <input
              type="checkbox"
              aria-label={"compare " + v.name}
              checked={compareIds.includes(v.id)}
              disabled={v.imported}
              title={v.imported ? "imported: its parameters are not known" : undefined}
              onChange={() => toggleCompare(v.id)}
            />
            <button className="version-pick" onClick={() => onSelect(v.id)}>
              <span className="vname">{v.name}</span>
              <span className={"badge status " + v.status}>{v.status.replace("_", " ")}</span>
              {v.stalled && (
                <span className="badge warn" title={v.stalled}>
                  stalled
                </span>
              )}
              {v.good && <span className="badge good">good</span>}
              {v.imported && (
                <span
                  className="badge imported"
                  title="trained before Actor Trainer, imported from the studio's manifest"
                >
                  imported
                </span>
              )}
              <span className="muted small">
                {formatTime(v.created_at)} · {v.image_count} img · {formatDuration(v.duration_seconds)} ·{" "}
                {formatCost(v.cost_usd)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {comparison && (
        <div className="compare" aria-label="Comparison">
          <h4>
            {comparison.left.name} ↔ {comparison.right.name}
          </h4>
          <table>
            <thead>
              <tr>
                <th>parameter</th>
                <th>{comparison.left.name}</th>
                <th>{comparison.right.name}</th>
              </tr>
            </thead>
            <tbody>
              {comparison.parameters.map((row) => (
                <tr key={row.name} className={row.differs ? "differs" : ""}>
                  <td>{row.name}</td>
                  <td>{String(row.left)}</td>
                  <td>{String(row.right)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {leftVersion && rightVersion && (
            <>
              {leftMedia.curve && rightMedia.curve && (
                <LossCurve
                  series={[
                    { label: leftVersion.name, curve: leftMedia.curve, className: "series-a" },
                    { label: rightVersion.name, curve: rightMedia.curve, className: "series-b" },
                  ]}
                />
              )}
              <PreviewGrid
                columns={[
                  { title: leftVersion.name, previews: leftMedia.previews },
                  { title: rightVersion.name, previews: rightMedia.previews },
                ]}
              />
              <div className="row">
                {[leftVersion, rightVersion]
                  .filter((v) => !v.good && v.status === "completed" && v.lora_url)
                  .map((v) => (
                    <button key={v.id} onClick={() => markFromCompare(v)}>
                      Mark {v.name} as good
                    </button>
                  ))}
              </div>
            </>
          )}
        </div>
      )}
      {selected && (
        <div className="version-detail" aria-label={"Details of " + selected.name}>
          <h4>
            {selected.name} <span className="muted">{selected.model_name}</span>
          </h4>
          {selected.description && <p>{selected.description}</p>}
          {selected.error && <p className="error-text">{selected.error}</p>}
          {selected.stalled && <p className="warn-text">{selected.stalled}</p>}
          <dl className="facts">
            <dt>endpoint</dt>
            <dd>{selected.endpoint}</dd>
            <dt>started</dt>
            <dd>{formatTime(selected.started_at)}</dd>
            <dt>finished</dt>
            <dd>{formatTime(selected.finished_at)}</dd>
            <dt>ran</dt>
            <dd>
              {formatDuration(selected.duration_seconds)} · {formatCost(selected.cost_usd)}
            </dd>
            {selected.retries > 0 && (
              <>
                <dt>retries</dt>
                <dd data-testid="retries">{selected.retries} (the cost holds every attempt)</dd>
              </>
            )}
            {selected.estimated_cost_usd != null && (
              <>
                <dt>estimated</dt>
                <dd>{formatCost(selected.estimated_cost_usd)}</dd>
              </>
            )}
            <dt>LoRA</dt>
            <dd>
              {selected.lora_url ? (
                <a href={selected.lora_url} target="_blank" rel="noreferrer">
                  {selected.lora_url.split("/").pop()}
                </a>
              ) : (
                "–"
              )}
            </dd>
          </dl>
          {media.curve && media.curve.points.length > 0 && (
            <LossCurve series={[{ label: selected.name, curve: media.curve, className: "series-a" }]} />
          )}
          {media.previews.length > 0 ? (
            <section aria-label={"Preview images of " + selected.name}>
              <h5>
                Previews{" "}
                <span className="muted small">{media.previews.length} · same prompts and seeds for every version</span>
              </h5>
              <PreviewGallery title={selected.name} previews={media.previews} />
            </section>
          ) : (
            selected.status === "completed" &&
            selected.lora_url && <button onClick={() => void renderPreviews(selected)}>Render previews</button>
          )}
          {selectedParams ? (
            <details>
              <summary>parameters</summary>
              <table className="param-table">
                <tbody>
                  {Object.entries(selectedParams).map(([k, val]) => (
                    <tr key={k}>
                      <td>{k}</td>
                      <td>{String(val)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          ) : (
            <p className="muted small" data-testid="imported-note">
              Trained before Actor Trainer and imported from the studio&apos;s manifest: its LoRA, size and date are
              known; its parameters, console and cost are not.
            </p>
          )}
          <div className="row">
            {selectedParams && <button onClick={() => onLoadParameters(selectedParams)}>Load parameters</button>}
            {(selected.status === "failed" || selected.status === "timed_out") && !selected.imported && (
              <RetryButton version={selected} onRetry={() => void retry(selected)} />
            )}
            {selectedParams && !["pending", "queued", "training"].includes(selected.status) && (
              <button onClick={() => onRerun(selected)} title="A new version with these parameters, editable first">
                Re-run…
              </button>
            )}
            {!selected.good && selected.status === "completed" && selected.lora_url && (
              <button onClick={() => setConfirming("good")}>Mark as good</button>
            )}
            {selected.good && <button onClick={() => setConfirming("clear")}>Clear good mark</button>}
          </div>
          {confirming && (
            <div className="confirm" role="alertdialog" aria-label="Confirm">
              <span>
                {confirming === "good"
                  ? `Make ${selected.name} the validated model of this actor? actors.json is updated.`
                  : "Remove the validated model of this actor from actors.json?"}
              </span>
              <button className="primary" autoFocus onClick={confirm}>
                Confirm
              </button>
              <button onClick={() => setConfirming(null)}>Cancel</button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

// Retry in place while RunPod still holds the job (30 minutes after it ended); after that the
// button says why it is gone and a re-run is the way.
function RetryButton({ version, onRetry }: { version: Version; onRetry: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(t);
  }, []);
  const until = version.retry_until ? Date.parse(version.retry_until) : null;
  const open = until != null && until > now;
  const why = !version.job_id
    ? "it never reached RunPod (no job id): re-run it instead"
    : open
      ? `RunPod holds the job until ${formatTime(version.retry_until)}`
      : "RunPod no longer holds the job (it keeps a finished job 30 minutes): re-run it instead";
  return (
    <>
      <button onClick={onRetry} disabled={!open} title={why} data-testid="retry">
        Retry
      </button>
      {!open && <span className="muted small">{why}</span>}
    </>
  );
}
