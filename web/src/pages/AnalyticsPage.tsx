// Analytics: trainings per day, success rate, median duration, seconds per step per endpoint
// over time, spend per day, week, month and actor, the most expensive and the failed versions.
// The figures are the server's (GET /api/stats); this page draws them.
import { useEffect, useMemo, useState } from "react";
import { api } from "../api/client";
import { useEvent } from "../api/events";
import type { Stats } from "../api/types";
import { TimeChart, type ChartSeries } from "../lib/Chart";
import { formatCost, formatDuration, formatSecondsPerStep, formatTime } from "../lib/format";

const WINDOWS: { label: string; days: number | null }[] = [
  { label: "last 7 days", days: 7 },
  { label: "last 30 days", days: 30 },
  { label: "last 90 days", days: 90 },
  { label: "everything", days: null },
];
const COLORS = ["#5aa9ff", "#f2b84b", "#b07cff", "#4cc38a", "#ff6b6b"];

function sinceOf(days: number | null): string | undefined {
  if (days == null) return undefined;
  const d = new Date(Date.now() - (days - 1) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

const daySeconds = (day: string) => Date.parse(day + "T00:00:00Z") / 1000;
const usd = (v: number) => "$" + v.toFixed(v < 10 ? 2 : 0);

export function AnalyticsPage({ onOpenVersion }: { onOpenVersion: (actorId: string) => void }) {
  const [windowDays, setWindowDays] = useState<number | null>(30);
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stale = false;
    api.stats(sinceOf(windowDays)).then(
      (s) => !stale && setStats(s),
      (e: Error) => !stale && setError(e.message),
    );
    return () => {
      stale = true;
    };
  }, [windowDays, tick]);
  // A version that ends changes the figures.
  useEvent<{ status: string }>("version", (v) => {
    if (["completed", "failed", "cancelled", "timed_out", "lost"].includes(v.status)) setTick((n) => n + 1);
  });

  const charts = useMemo(() => {
    if (!stats) return null;
    const x = stats.days.map((d) => daySeconds(d.day));
    const trainings: ChartSeries[] = [
      { label: "started", values: stats.days.map((d) => d.started), color: COLORS[0]!, bars: true },
      { label: "completed", values: stats.days.map((d) => d.completed), color: COLORS[3]! },
      { label: "failed", values: stats.days.map((d) => d.failed), color: COLORS[4]! },
    ];
    const spend: ChartSeries[] = [
      { label: "spent", values: stats.days.map((d) => d.spent_usd), color: COLORS[1]!, bars: true },
    ];
    const endpoints = [...new Set(stats.speeds.map((s) => s.endpoint))];
    const speed: ChartSeries[] = endpoints.map((endpoint, i) => ({
      label: endpoint,
      values: stats.days.map(
        (d) => stats.speeds.find((s) => s.endpoint === endpoint && s.day === d.day)?.seconds_per_step ?? null,
      ),
      color: COLORS[(i + 2) % COLORS.length]!,
    }));
    return { x, trainings, spend, speed };
  }, [stats]);

  return (
    <div className="analytics" aria-label="Analytics">
      <header className="analytics-head">
        <h2>Analytics</h2>
        <select
          aria-label="Window"
          value={String(windowDays)}
          onChange={(e) => setWindowDays(e.target.value === "null" ? null : Number(e.target.value))}
        >
          {WINDOWS.map((w) => (
            <option key={w.label} value={String(w.days)}>
              {w.label}
            </option>
          ))}
        </select>
      </header>
      {error && <p className="error-text">{error}</p>}
      {!stats && !error && <p className="muted">Reading the history…</p>}
      {stats && charts && (
        <>
          <div className="kpis" data-testid="kpis">
            <Kpi
              label="trainings"
              value={String(stats.trainings)}
              note={`${stats.running} running · ${stats.retries} retries`}
            />
            <Kpi
              label="success rate"
              value={stats.success_rate == null ? "–" : Math.round(stats.success_rate * 100) + "%"}
              note={`${stats.completed} completed · ${stats.failed} failed`}
            />
            <Kpi
              label="median duration"
              value={formatDuration(stats.median_duration_seconds)}
              note="of completed trainings"
            />
            <Kpi
              label="spent"
              value={formatCost(stats.spent_usd)}
              note={`trainings ${formatCost(stats.spent_trainings_usd)} · previews ${formatCost(stats.spent_previews_usd)}`}
            />
          </div>
          {stats.days.length === 0 ? (
            <p className="muted">No training in this window.</p>
          ) : (
            <div className="charts">
              <TimeChart id="trainings" title="Trainings per day" x={charts.x} series={charts.trainings} />
              <TimeChart id="spend" title="Spend per day" x={charts.x} series={charts.spend} format={usd} />
              {charts.speed.length > 0 && (
                <TimeChart
                  id="speed"
                  title="Seconds per step, by endpoint (median of the day's completed trainings)"
                  x={charts.x}
                  series={charts.speed}
                  format={(v) => formatSecondsPerStep(v)}
                />
              )}
            </div>
          )}
          <div className="analytics-tables">
            <section aria-label="Spend per period">
              <h3>Spend per month</h3>
              <PeriodTable rows={stats.months} />
              <h3>Spend per week</h3>
              <PeriodTable rows={stats.weeks} label="week of" />
            </section>
            <section aria-label="Spend per actor">
              <h3>Spend per actor</h3>
              <table>
                <tbody>
                  {stats.actors.map((a) => (
                    <tr key={a.actor_id}>
                      <td>
                        <button className="linkish" onClick={() => onOpenVersion(a.actor_id)}>
                          {a.actor_name || a.actor_id}
                        </button>
                      </td>
                      <td>
                        {a.trainings} {a.trainings === 1 ? "training" : "trainings"}
                      </td>
                      <td>{formatCost(a.spent_usd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section aria-label="Most expensive versions">
              <h3>Most expensive versions</h3>
              <VersionTable rows={stats.most_expensive} onOpen={onOpenVersion} />
            </section>
            <section aria-label="Failed versions">
              <h3>Failed versions</h3>
              {stats.failures.length === 0 ? (
                <p className="muted small">None in this window.</p>
              ) : (
                <VersionTable rows={stats.failures} onOpen={onOpenVersion} withError />
              )}
            </section>
          </div>
        </>
      )}
    </div>
  );
}

function Kpi({ label, value, note }: { label: string; value: string; note: string }) {
  return (
    <div className="kpi" data-kpi={label}>
      <div className="kpi-value">{value}</div>
      <div className="kpi-label">{label}</div>
      <div className="muted small">{note}</div>
    </div>
  );
}

function PeriodTable({ rows, label }: { rows: Stats["months"]; label?: string }) {
  if (rows.length === 0) return <p className="muted small">Nothing spent.</p>;
  return (
    <table>
      <tbody>
        {rows.map((r) => (
          <tr key={r.period}>
            <td>
              {label ? label + " " : ""}
              {r.period}
            </td>
            <td>{formatCost(r.spent_usd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function VersionTable({
  rows,
  onOpen,
  withError,
}: {
  rows: Stats["failures"];
  onOpen: (actorId: string) => void;
  withError?: boolean;
}) {
  return (
    <table>
      <tbody>
        {rows.map((v) => (
          <tr key={v.id}>
            <td>
              <button className="linkish" onClick={() => onOpen(v.actor_id)}>
                {v.actor_id} {v.name}
              </button>
            </td>
            <td>{v.status.replace("_", " ")}</td>
            <td>{formatCost(v.cost_usd)}</td>
            <td>{v.retries > 0 ? `${v.retries} retries` : ""}</td>
            <td className={withError ? "error-text small" : "muted small"}>
              {withError ? (v.error ?? "") : formatTime(v.at)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
