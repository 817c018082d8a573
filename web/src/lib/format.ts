export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "–";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${r} s`;
  return `${r} s`;
}

export function formatCost(usd: number | null | undefined): string {
  return usd == null ? "–" : "$" + usd.toFixed(usd < 1 ? 3 : 2);
}

/** Seconds per step with three significant digits: "1.5", "0.00556". */
export function formatSecondsPerStep(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "–";
  return String(Number(value.toPrecision(3)));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" });
}

export const syncLabel: Record<string, string> = {
  synced: "synced",
  out_of_sync: "out of sync",
  not_synced: "not synced",
  no_data: "no data",
};
