// A version's loss curve (or two, overlaid in compare) as an SVG: steps across, loss up.
// The points are the progress reports the server saw; nothing is computed here but the scale.
import type { Curve } from "../../api/types";

interface Series {
  label: string;
  curve: Curve;
  className: string;
}

const W = 320;
const H = 120;
const PAD = 4;

export function LossCurve({ series }: { series: Series[] }) {
  const points = series.flatMap((s) =>
    s.curve.points.filter((p) => p.loss !== null).map((p) => ({ step: p.step, loss: p.loss as number })),
  );
  if (points.length < 2) {
    return <p className="muted small">No loss reported yet.</p>;
  }
  const maxStep = Math.max(...series.map((s) => s.curve.total_steps ?? 0), ...points.map((p) => p.step), 1);
  const losses = points.map((p) => p.loss);
  const lo = Math.min(...losses);
  const hi = Math.max(...losses);
  const span = hi - lo || 1;
  const x = (step: number) => PAD + (step / maxStep) * (W - 2 * PAD);
  const y = (loss: number) => PAD + (1 - (loss - lo) / span) * (H - 2 * PAD);
  return (
    <figure className="loss-curve" aria-label="Loss curve">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={series.map((s) => s.label).join(" and ") + " loss"}>
        {series.map((s) => (
          <polyline
            key={s.label}
            className={s.className}
            data-points={s.curve.points.length}
            fill="none"
            points={s.curve.points
              .filter((p) => p.loss !== null)
              .map((p) => `${x(p.step).toFixed(1)},${y(p.loss as number).toFixed(1)}`)
              .join(" ")}
          />
        ))}
      </svg>
      <figcaption className="muted small">
        {series.map((s) => (
          <span key={s.label} className={"legend " + s.className}>
            {s.label}: {s.curve.points.length} points
            {s.curve.final_loss !== null && <> · final loss {s.curve.final_loss.toFixed(4)}</>}
            {s.curve.steps_per_second !== null && <> · {s.curve.steps_per_second.toFixed(2)} steps/s</>}
          </span>
        ))}
        <span>
          {" "}
          loss {lo.toFixed(3)}–{hi.toFixed(3)} over {maxStep} steps
        </span>
      </figcaption>
    </figure>
  );
}
