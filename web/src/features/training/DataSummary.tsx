import type { SyncEvent, TrainingData } from "../../api/types";
import { formatBytes, syncLabel } from "../../lib/format";

interface Props {
  data: TrainingData | null;
  sync: SyncEvent | null;
  canSync: boolean;
  onSync: () => void;
}

export function DataSummary({ data, sync, canSync, onSync }: Props) {
  if (!data) return <section className="panel data-panel" aria-label="Training data"><p className="muted">Scanning…</p></section>;
  const running = sync?.state === "running";
  const formats = Object.entries(data.formats).map(([f, n]) => `${n} ${f}`).join(", ");
  return (
    <section className="panel data-panel" aria-label="Training data">
      <header className="panel-head">
        <h3>Training data</h3>
        <span className={"badge sync " + data.sync} data-testid="sync-state">{syncLabel[data.sync]}</span>
      </header>
      <p data-testid="data-summary">
        <strong>{data.count}</strong> images · {formatBytes(data.bytes)}{formats ? " · " + formats : ""} · {data.captions} captions
      </p>
      {data.findings.length > 0 && (
        <ul className="findings">
          {data.findings.slice(0, 8).map((f, i) => (
            <li key={i} className={f.severity}>{f.file ? <code>{f.file}</code> : null} {f.message}</li>
          ))}
          {data.findings.length > 8 && <li className="muted">…and {data.findings.length - 8} more</li>}
        </ul>
      )}
      <div className="row">
        <button onClick={onSync} disabled={!canSync || running} title={canSync ? "" : "S3 is not configured"}>
          {running ? "Syncing…" : "Sync now"}
        </button>
        {running && sync?.total ? (
          <progress max={sync.total} value={sync.done ?? 0} aria-label="sync progress" />
        ) : null}
        {running && <span className="small muted">{sync?.stage} {sync?.done}/{sync?.total}</span>}
        {sync && sync.state !== "running" && (
          <span className={"small " + (sync.state === "done" ? "ok-text" : "error-text")} data-testid="sync-outcome">
            {sync.state === "done" ? "synced to S3" : sync.state === "failed" ? sync.error?.message : `incomplete: ${[...(sync.refused ?? []), ...(sync.failed ?? [])].join("; ")}`}
          </span>
        )}
      </div>
      <div className="thumbs">
        {data.files.slice(0, 12).map((f) => (
          <img key={f.name} src={f.thumbnail_url + "?size=small"} alt={f.name} title={`${f.name} ${f.width}×${f.height}`} width={56} height={56} loading="lazy" />
        ))}
      </div>
    </section>
  );
}
