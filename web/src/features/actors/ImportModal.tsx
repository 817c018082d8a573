// Import of a studio's history from its per-actor manifests: a dry run first (per actor what
// would be recorded and what is left out and why), then the import on confirmation.
import { useEffect, useState } from "react";
import { api } from "../../api/client";
import type { ImportRun } from "../../api/types";
import { Modal } from "../../lib/Modal";

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

export function ImportModal({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const [run, setRun] = useState<ImportRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(true);

  useEffect(() => {
    api
      .importHistory(true)
      .then(setRun, (e: Error) => setError(e.message))
      .finally(() => setBusy(false));
  }, []);

  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      setRun(await api.importHistory(false));
      onImported();
    } catch (e) {
      setError((e as Error).message);
    }
    setBusy(false);
  };

  return (
    <Modal label="Import history" title="Import the studio's history" className="guidelines" onClose={onClose}>
      <p className="small">
        Reads the per-actor manifests in <code>{run?.folder ?? "data/actor_manifests"}</code>: training data, the MD5s
        of synced images, earlier LoRA versions (imported, no cost) and the validated model. Nothing is deleted and
        fields Actor Trainer does not own are left alone; importing twice changes nothing.
      </p>
      {busy && !run && <p className="muted">Reading the manifests…</p>}
      {error && (
        <p className="error-text" data-testid="import-error">
          {error}
        </p>
      )}
      {run && (
        <>
          <p data-testid="import-summary">
            {run.applied
              ? `Imported: ${count(run.applied.versions_imported, "version")}, ${count(run.applied.training_data_recorded, "training-data block")}, ${count(run.applied.validated_models_recorded, "validated model")}.`
              : `${count(run.manifests, "manifest")}, ${run.changing} with something to record. Nothing has been changed yet.`}
          </p>
          <ul className="import-list" aria-label="Import plan">
            {run.actors.map((a) => (
              <li key={a.manifest} data-manifest={a.manifest}>
                <strong>{a.actor_id ? `${a.actor_name}` : a.manifest}</strong>
                {a.training_data_good != null && (
                  <span className="muted small">
                    {" "}
                    · studio judged its data {a.training_data_good ? "good" : "not good"}
                  </span>
                )}
                <ul>
                  {a.steps.map((s, i) => (
                    <li key={i} className={"step small" + (s.applies ? "" : " left-out")}>
                      {s.applies ? (run.dry_run ? "would record " : "recorded ") : "left out: "}
                      {s.what}
                      {s.why ? ` — ${s.why}` : ""}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
          <div className="row">
            {run.dry_run && run.changing > 0 && (
              <button className="primary" disabled={busy} onClick={apply}>
                Import {count(run.changing, "actor")}
              </button>
            )}
            <button onClick={onClose}>{run.dry_run ? "Cancel" : "Close"}</button>
          </div>
        </>
      )}
    </Modal>
  );
}
