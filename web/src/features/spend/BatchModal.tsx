// "Train all eligible": the server's plan (each eligible actor with its parameters and estimate,
// the totals, where a budget cap stops it), actors excludable one by one, one confirmation,
// then the queue's live progress, cancellable. Every rule is the server's.
import { useEffect, useRef, useState } from "react";
import { api } from "../../api/client";
import type { Batch, BatchPlan, ServerSettings } from "../../api/types";
import { formatCost, formatDuration } from "../../lib/format";
import { Modal } from "../../lib/Modal";

// Rows drawn at most: a registry of 100,000 actors can have tens of thousands eligible.
const MAX_ROWS = 200;

const STATE_LABEL: Record<string, string> = {
  included: "in the plan",
  excluded: "left out",
  over_budget: "over the budget",
};

interface Props {
  settings: ServerSettings;
  onClose: () => void;
}

export function BatchModal({ settings, onClose }: Props) {
  const [endpoint, setEndpoint] = useState(
    settings.endpoints.find((e) => e.default)?.name ?? settings.endpoints[0]?.name ?? "",
  );
  const [concurrency, setConcurrency] = useState(2);
  const [max, setMax] = useState(0);
  const [excluded, setExcluded] = useState<string[]>([]);
  const [plan, setPlan] = useState<BatchPlan | null>(null);
  const [planning, setPlanning] = useState(true);
  const [confirming, setConfirming] = useState(false);
  const [batch, setBatch] = useState<Batch | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(crypto.randomUUID());

  // A queue still running (the page was reloaded meanwhile) is shown instead of a new plan.
  useEffect(() => {
    api.batches().then(
      (l) => {
        const running = l.items.find((b) => b.state === "running");
        if (running) setBatch(running);
      },
      () => undefined,
    );
  }, []);

  useEffect(() => {
    if (batch) return;
    setPlanning(true);
    let stale = false;
    const t = setTimeout(() => {
      api.batchPlan({ endpoint, concurrency, exclude: excluded, max }).then(
        (p) => {
          if (stale) return;
          setPlan(p);
          setError(null);
          setPlanning(false);
        },
        (e: Error) => {
          if (stale) return;
          setError(e.message);
          setPlanning(false);
        },
      );
    }, 150);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [endpoint, concurrency, excluded, max, batch]);

  // The queue: its state as stored, every second while it runs.
  const batchId = batch?.id ?? null;
  const running = batch?.state === "running";
  useEffect(() => {
    if (batchId === null || !running) return;
    const t = setInterval(() => {
      api.batch(batchId).then(setBatch, (e: Error) => setError(e.message));
    }, 1000);
    return () => clearInterval(t);
  }, [batchId, running]);

  const toggle = (id: string) => setExcluded((old) => (old.includes(id) ? old.filter((x) => x !== id) : [...old, id]));

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      setBatch(await api.startBatch({ endpoint, concurrency, exclude: excluded, max }, key.current));
      setConfirming(false);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    if (!batch) return;
    try {
      setBatch(await api.cancelBatch(batch.id));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const canStart = !!plan && plan.included > 0 && plan.blockers.length === 0 && !planning && !busy;

  return (
    <Modal
      label="Train all eligible"
      title={batch ? `Batch ${batch.id}` : "Train all eligible actors"}
      className="batch"
      onClose={onClose}
    >
      {error && (
        <p className="error-text" data-testid="batch-error">
          {error}
        </p>
      )}
      {batch ? (
        <BatchQueue batch={batch} onCancel={cancel} />
      ) : (
        <>
          <p className="small">
            Eligible: synced training data, no validated model, no blocking data finding, no training running. Each
            actor trains with its own auto-adjusted parameters; untick one to leave it out. Estimates come from the
            endpoint&apos;s price and speed; what RunPod bills is its execution time.
          </p>
          <div className="row">
            <label htmlFor="batch-endpoint">Endpoint</label>
            <select id="batch-endpoint" value={endpoint} onChange={(e) => setEndpoint(e.target.value)}>
              {settings.endpoints.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.name} · {e.gpu} · ${e.price_per_second}/s
                </option>
              ))}
            </select>
            <label htmlFor="batch-concurrency">At once</label>
            <input
              id="batch-concurrency"
              type="number"
              min={1}
              max={16}
              value={concurrency}
              onChange={(e) => setConcurrency(Math.min(16, Math.max(1, Number(e.target.value) || 1)))}
            />
            <label htmlFor="batch-max">At most</label>
            <input
              id="batch-max"
              type="number"
              min={0}
              value={max}
              title="0: every eligible actor"
              onChange={(e) => setMax(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
            />
          </div>
          {planning && !plan && <p className="muted">Checking every candidate&apos;s data…</p>}
          {plan && (
            <>
              <table className="batch-plan" aria-label="Batch plan">
                <thead>
                  <tr>
                    <th></th>
                    <th>actor</th>
                    <th>images</th>
                    <th>steps</th>
                    <th>learning rate</th>
                    <th>dim</th>
                    <th>time</th>
                    <th>cost</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  {plan.items.slice(0, MAX_ROWS).map((item) => (
                    <tr key={item.actor_id} className={item.state} data-actor={item.actor_id}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={"include " + item.actor_name}
                          checked={!excluded.includes(item.actor_id)}
                          onChange={() => toggle(item.actor_id)}
                        />
                      </td>
                      <td>
                        {item.actor_name} <span className="muted small">{item.actor_id}</span>
                      </td>
                      <td>{item.images}</td>
                      <td>{String(item.parameters.max_train_steps)}</td>
                      <td>{String(item.parameters.learning_rate)}</td>
                      <td>{String(item.parameters.network_dim)}</td>
                      <td>{formatDuration(item.estimate.duration_seconds)}</td>
                      <td>{formatCost(item.estimate.cost_usd)}</td>
                      <td className="small">{STATE_LABEL[item.state]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {plan.items.length === 0 && <p className="muted">No actor is eligible now.</p>}
              {plan.items.length > MAX_ROWS && (
                <p className="muted small" data-testid="batch-more">
                  …and {plan.items.length - MAX_ROWS} more eligible actors, counted in the totals (leave some out with{" "}
                  <code>train --eligible --exclude</code>, or train a part with &quot;At most&quot;).
                </p>
              )}
              <p data-testid="batch-total">
                <strong>
                  {plan.included} {plan.included === 1 ? "training" : "trainings"} · {formatCost(plan.total_cost_usd)}
                </strong>{" "}
                · about {formatDuration(plan.wall_seconds)} at {plan.concurrency} at once
              </p>
              {plan.budget_stop && (
                <p className="warn-text small" data-testid="batch-budget-stop">
                  The plan stops at the budget: {plan.budget_stop}
                </p>
              )}
              {plan.blockers.map((b) => (
                <p key={b.code} className="error-text small">
                  {b.message}
                </p>
              ))}
              {Object.keys(plan.skipped_counts).length > 0 && (
                <details className="small">
                  <summary>
                    Not eligible: {Object.values(plan.skipped_counts).reduce((a, b) => a + b, 0)} actors (
                    {Object.entries(plan.skipped_counts)
                      .map(([reason, n]) => `${n} ${reason.replaceAll("_", " ")}`)
                      .join(", ")}
                    )
                  </summary>
                  <ul>
                    {plan.skipped.map((s) => (
                      <li key={s.actor_id}>
                        {s.actor_name}: {s.detail}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
              {confirming ? (
                <div className="confirm" role="alertdialog" aria-label="Confirm batch">
                  <span>
                    Start {plan.included} {plan.included === 1 ? "training" : "trainings"} on {plan.endpoint} for about{" "}
                    {formatCost(plan.total_cost_usd)}? RunPod bills every second they run.
                  </span>
                  <button className="primary" autoFocus disabled={busy} onClick={start}>
                    Start {plan.included}
                  </button>
                  <button onClick={() => setConfirming(false)}>Back</button>
                </div>
              ) : (
                <div className="row">
                  <button className="primary" disabled={!canStart} onClick={() => setConfirming(true)}>
                    Train {plan.included} {plan.included === 1 ? "actor" : "actors"}…
                  </button>
                  <button onClick={onClose}>Cancel</button>
                </div>
              )}
            </>
          )}
        </>
      )}
    </Modal>
  );
}

function BatchQueue({ batch, onCancel }: { batch: Batch; onCancel: () => void }) {
  const q = batch.queue;
  return (
    <>
      <p data-testid="batch-queue" data-state={batch.state}>
        <strong>{batch.state}</strong> · {q.waiting} waiting · {q.running} running · {q.done} done · {q.failed} failed
        {q.cancelled > 0 && <> · {q.cancelled} cancelled</>} · planned {formatCost(batch.planned_cost_usd)}, spent{" "}
        {formatCost(batch.spent_usd)}
      </p>
      <ul className="batch-queue" aria-label="Queue">
        {batch.entries.map((e) => (
          <li key={e.actor_id} data-actor={e.actor_id} data-queue={e.queue}>
            <span className={"badge status " + (e.status ?? e.queue)}>{e.queue}</span> {e.actor_name}{" "}
            <span className="muted small">
              {e.version ?? ""} {e.status ? e.status.replace("_", " ") : ""} ·{" "}
              {formatCost(e.cost_usd ?? e.estimate_usd)}
            </span>
            {e.error && <div className="error-text small">{e.error}</div>}
          </li>
        ))}
      </ul>
      {batch.state === "running" && (
        <div className="row">
          <button onClick={onCancel} data-testid="batch-cancel">
            Cancel the queue
          </button>
          <span className="muted small">Waiting actors are not started; running trainings go on.</span>
        </div>
      )}
    </>
  );
}
