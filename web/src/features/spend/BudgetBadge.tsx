// The header's spend against the budget: the tightest capped period (or this month's spend
// when nothing is capped), fetched again when a version changes.
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../../api/client";
import { useEvent } from "../../api/events";
import type { Budget, BudgetCaps, BudgetPeriod } from "../../api/types";
import { formatCost } from "../../lib/format";

const PERIOD: Record<string, string> = { day: "today", month: "this month", total: "in total" };

function phrase(p: BudgetPeriod): string {
  return PERIOD[p.period] + (p.endpoint ? ` (${p.endpoint})` : "");
}

// The capped period closest to its cap: the one that refuses a job first.
function tightest(budget: Budget): BudgetPeriod | null {
  let best: BudgetPeriod | null = null;
  for (const p of budget.periods) {
    if (p.cap_usd == null) continue;
    const share = (p.spent_usd + p.running_usd) / Math.max(p.cap_usd, 1e-9);
    if (!best || share > (best.spent_usd + best.running_usd) / Math.max(best.cap_usd ?? 1, 1e-9)) best = p;
  }
  return best ?? budget.periods[0] ?? null;
}

export function BudgetBadge() {
  const [budget, setBudget] = useState<Budget | null>(null);
  const [editing, setEditing] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reload = useCallback(() => {
    api.budget().then(setBudget, () => undefined);
  }, []);
  useEffect(() => {
    reload();
    const every = setInterval(reload, 30_000);
    return () => clearInterval(every);
  }, [reload]);
  // Versions change often while they train; one fetch per second at most.
  useEvent("version", () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      reload();
    }, 1000);
  });
  if (!budget) return null;
  const p = tightest(budget);
  if (!p) return null;
  const used = p.spent_usd + p.running_usd;
  const level = p.cap_usd == null ? "" : used >= p.cap_usd ? " over" : used >= 0.8 * p.cap_usd ? " near" : "";
  const title = budget.periods
    .map(
      (x) =>
        `${phrase(x)}: ${formatCost(x.spent_usd)} spent, ${formatCost(x.running_usd)} running` +
        (x.cap_usd != null ? `, cap ${formatCost(x.cap_usd)}` : ", no cap"),
    )
    .join("\n");
  return (
    <span className="budget-wrap">
      <button
        className={"badge budget" + level}
        data-testid="budget"
        title={title + "\n(click to set the caps)"}
        aria-haspopup="dialog"
        onClick={() => setEditing((e) => !e)}
      >
        {phrase(p)} {formatCost(p.spent_usd)}
        {p.running_usd > 0 && <> + {formatCost(p.running_usd)} running</>}
        {p.cap_usd != null ? <> / {formatCost(p.cap_usd)}</> : <span className="muted"> · no cap</span>}
      </button>
      {editing && (
        <CapsEditor
          budget={budget}
          onSaved={(b) => {
            setBudget(b);
            setEditing(false);
          }}
          onClose={() => setEditing(false)}
        />
      )}
    </span>
  );
}

const CAPS: { key: "day" | "month" | "total"; label: string }[] = [
  { key: "day", label: "per day" },
  { key: "month", label: "per month" },
  { key: "total", label: "overall" },
];

// The caps of every job (an endpoint's own caps are kept as they are). Empty: no cap.
function CapsEditor({
  budget,
  onSaved,
  onClose,
}: {
  budget: Budget;
  onSaved: (b: Budget) => void;
  onClose: () => void;
}) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(CAPS.map(({ key }) => [key, budget.caps[key] == null ? "" : String(budget.caps[key])])),
  );
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    const caps: BudgetCaps = { endpoints: budget.caps.endpoints };
    for (const { key } of CAPS) {
      const text = (values[key] ?? "").trim();
      caps[key] = text === "" ? null : Number(text);
    }
    try {
      onSaved(await api.setBudget(caps));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const reset = async () => {
    try {
      onSaved(await api.resetBudget());
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div
      className="caps-editor"
      role="dialog"
      aria-label="Budget caps"
      onKeyDown={(e) => e.key === "Escape" && onClose()}
    >
      <p className="small muted">
        Caps in dollars (UTC days and calendar months); empty means no cap. A training, retry or preview that would pass
        one is refused with the figures. Now from {budget.source === "page" ? "this page" : "actor-trainer.toml"}.
      </p>
      {CAPS.map(({ key, label }) => (
        <label key={key} className="row small">
          <span className="caps-label">{label}</span>
          <input
            type="number"
            min={0}
            step="any"
            aria-label={"cap " + label}
            value={values[key]}
            onChange={(e) => setValues((v) => ({ ...v, [key]: e.target.value }))}
          />
        </label>
      ))}
      {error && <p className="error-text small">{error}</p>}
      <div className="row">
        <button className="primary" onClick={() => void save()}>
          Save caps
        </button>
        {budget.source === "page" && <button onClick={() => void reset()}>Use actor-trainer.toml</button>}
        <button className="ghost" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
