import type { SyncEvent, TrainingData } from "../../api/types";
import { formatBytes, syncLabel } from "../../lib/format";
import { DataImages } from "./DataImages";

interface Props {
  data: TrainingData | null;
  sync: SyncEvent | null;
  canSync: boolean;
  onSync: () => void;
}

export function DataSummary({ data, sync, canSync, onSync }: Props) {
  if (!data)
    return (
      <section className="panel data-panel" aria-label="Training data">
        <p className="muted">Scanning…</p>
      </section>
    );
  const running = sync?.state === "running";
  const formats = Object.entries(data.formats)
    .map(([f, n]) => `${n} ${f}`)
    .join(", ");
  // S3-only data that actors.json records as it is: nothing to upload or record.
  const s3Recorded = data.location === "s3" && data.sync === "synced";
  return (
    <section className="panel data-panel" aria-label="Training data">
      <header className="panel-head">
        <h3>Training data</h3>
        <span className={"badge sync " + data.sync} data-testid="sync-state">
          {syncLabel[data.sync]}
        </span>
      </header>
      <p data-testid="data-summary">
        {data.location === "s3" && !data.s3_checked ? (
          <>
            <strong>{data.count}</strong> in S3
          </>
        ) : (
          <>
            <strong>{data.count}</strong> usable{data.location === "s3" ? " in S3" : ""}
            {data.excluded.length > 0 && (
              <>
                , <strong>{data.excluded.length}</strong> excluded
              </>
            )}{" "}
            · {formatBytes(data.bytes)}
            {formats ? " · " + formats : ""}
            {data.location === "s3" ? "" : ` · ${data.captions} captions`}
          </>
        )}
        {data.ignored.length > 0 && (
          <span className="muted">
            {" "}
            · {data.ignored.length} other file{data.ignored.length === 1 ? "" : "s"} ignored
          </span>
        )}
      </p>
      {data.location === "s3" && (
        <p className="small data-location" data-testid="data-location">
          In S3 only: no local copy in <code>{data.folder}</code>.{" "}
          {data.s3_checked ? (
            <>
              Checked from the objects in <code>{data.s3_checked}</code>
              {data.sync === "not_synced"
                ? "; actors.json does not record them yet, so Sync now records them"
                : ""}. <code>actor-trainer data pull {data.actor.id}</code> brings them local for editing.
            </>
          ) : (
            <>
              A training uses the {data.count} recorded objects
              {data.s3_urls?.[0] ? (
                <>
                  {" "}
                  (<code>{data.s3_urls[0].replace(/[^/]+$/, "")}</code>…)
                </>
              ) : null}
              ; there is nothing local to sync.
            </>
          )}
        </p>
      )}
      {data.findings.length > 0 && (
        <ul className="findings">
          {data.findings.slice(0, 8).map((f, i) => (
            <li key={i} className={f.severity}>
              {f.file ? <code>{f.file}</code> : null} {f.message}
            </li>
          ))}
          {data.findings.length > 8 && <li className="muted">…and {data.findings.length - 8} more</li>}
        </ul>
      )}
      {data.ignored.length > 0 && (
        <p className="small muted" data-testid="ignored">
          Ignored (not images): {data.ignored.join(", ")}
        </p>
      )}
      <div className="row">
        <button
          onClick={onSync}
          disabled={!canSync || running || s3Recorded}
          title={
            s3Recorded
              ? "the data is already in S3 and recorded; there is no local copy to sync"
              : canSync
                ? ""
                : "S3 is not configured"
          }
        >
          {running ? "Syncing…" : "Sync now"}
        </button>
        {running && sync?.total ? (
          <progress max={sync.total} value={sync.done ?? 0} aria-label="sync progress" />
        ) : null}
        {running && (
          <span className="small muted">
            {sync?.stage} {sync?.total ? `${sync.done}/${sync.total}` : ""}
          </span>
        )}
        {sync && sync.state !== "running" && (
          <span className={"small " + (sync.state === "done" ? "ok-text" : "error-text")} data-testid="sync-outcome">
            {sync.state === "done"
              ? `synced to S3${sync.excluded?.length ? ` · ${sync.excluded.length} left out` : ""}`
              : sync.state === "failed"
                ? sync.error?.message
                : `incomplete: ${(sync.failed ?? []).join("; ")}`}
          </span>
        )}
      </div>
      <DataImages data={data} />
    </section>
  );
}
