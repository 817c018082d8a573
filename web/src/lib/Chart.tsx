// A time chart drawn by uPlot (a small, fast canvas chart library): days on the x axis, one
// or more series of values, lines or bars. Resizes with its box.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  bars?: boolean;
}

interface Props {
  id: string;
  title: string;
  /** Unix seconds of each point (the start of a day). */
  x: number[];
  series: ChartSeries[];
  /** How a value reads on the axis and in the legend. */
  format?: (value: number) => string;
  height?: number;
}

export function TimeChart({ id, title, x, series, format, height = 200 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const show = (v: number | null) => (v == null ? "–" : format ? format(v) : String(v));
    const bars = uPlot.paths.bars?.({ size: [0.7, 24] });
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 280),
      height,
      // At least a week wide, so one day of data is a bar with its neighbours, not a year of axis.
      scales: {
        x: {
          time: true,
          range: () => {
            // From the days themselves: with one point uPlot's own first guess is no range.
            const min = x[0] ?? 0;
            const max = x[x.length - 1] ?? 0;
            const pad = Math.max(43_200, (7 * 86_400 - (max - min)) / 2);
            return [min - pad, max + pad];
          },
        },
      },
      axes: [
        { stroke: "#9aa4b2", grid: { stroke: "#2a313c" } },
        {
          stroke: "#9aa4b2",
          grid: { stroke: "#2a313c" },
          size: 60,
          values: (_u, ticks) => ticks.map((t) => show(t)),
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.bars ? 1 : 2,
          fill: s.bars ? s.color + "aa" : undefined,
          paths: s.bars ? bars : undefined,
          points: { show: !s.bars && x.length < 40 },
          value: (_u: uPlot, v: number | null) => show(v),
        })),
      ],
    };
    const plot = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 280), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, format, height]);
  return (
    <figure className="chart" aria-label={title} data-testid={"chart-" + id}>
      <figcaption>{title}</figcaption>
      <div ref={box} />
    </figure>
  );
}
