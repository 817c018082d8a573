// Preview images of one version (a gallery), or of two side by side, prompt by prompt and seed
// by seed (compare). A click opens the image large with its prompt and seed.
import { useState } from "react";
import type { Preview } from "../../api/types";
import { formatCost } from "../../lib/format";

interface Column {
  title: string;
  previews: Preview[];
}

// The rows: every (prompt, seed) of any column, in prompt then seed order.
function rowsOf(columns: Column[]) {
  const rows = new Map<string, { prompt_index: number; seed: number; label: string }>();
  for (const c of columns)
    for (const p of c.previews) {
      const key = `${p.prompt_index}/${p.seed}`;
      if (!rows.has(key)) rows.set(key, { prompt_index: p.prompt_index, seed: p.seed, label: p.prompt_label });
    }
  return [...rows.values()].sort((a, b) => a.prompt_index - b.prompt_index || a.seed - b.seed);
}

function Cell({ preview, onOpen }: { preview: Preview | undefined; onOpen: (p: Preview) => void }) {
  if (!preview) return <div className="preview-cell empty">none</div>;
  const image = preview.images[0];
  if (preview.status !== "completed" || !image) {
    return (
      <div className={"preview-cell " + preview.status} title={preview.error ?? preview.status}>
        {preview.status === "failed" ? "failed" : preview.status}
      </div>
    );
  }
  return (
    <button className="preview-cell" onClick={() => onOpen(preview)} title={preview.prompt}>
      <img src={image.thumbnail_url} alt={`${preview.version_name} ${preview.prompt_label} seed ${preview.seed}`} />
    </button>
  );
}

// A click on an image opens it large with its prompt and seed.
function useLightbox() {
  const [open, setOpen] = useState<Preview | null>(null);
  const box = open && (
    <div className="lightbox" role="dialog" aria-label="Preview image" onClick={() => setOpen(null)}>
      <figure onClick={(e) => e.stopPropagation()}>
        <img src={open.images[0]?.url + "?size=large"} alt={open.prompt} />
        <figcaption>
          <strong>
            {open.version_name} · {open.prompt_label} · seed {open.seed}
          </strong>
          <p>{open.prompt}</p>
          <button onClick={() => setOpen(null)}>Close</button>
        </figcaption>
      </figure>
    </div>
  );
  return { setOpen, box };
}

/** One version's previews: a row per prompt, a column per seed. */
export function PreviewGallery({ title, previews }: { title: string; previews: Preview[] }) {
  const { setOpen, box } = useLightbox();
  const seeds = [...new Set(previews.map((p) => p.seed))].sort((a, b) => a - b);
  const prompts = [...new Map(previews.map((p) => [p.prompt_index, p.prompt_label])).entries()].sort(
    (a, b) => a[0] - b[0],
  );
  return (
    <div className="preview-grid-wrap">
      <table className="preview-grid" aria-label={"Gallery of " + title}>
        <thead>
          <tr>
            <th>prompt</th>
            {seeds.map((seed) => (
              <th key={seed}>seed {seed}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {prompts.map(([index, label]) => (
            <tr key={index}>
              <th scope="row">{label}</th>
              {seeds.map((seed) => (
                <td key={seed}>
                  <Cell preview={previews.find((p) => p.prompt_index === index && p.seed === seed)} onOpen={setOpen} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {box}
    </div>
  );
}

/** Several versions side by side: a row per prompt × seed, a column per version. */
export function PreviewGrid({ columns }: { columns: Column[] }) {
  const { setOpen, box } = useLightbox();
  const rows = rowsOf(columns);
  return (
    <div className="preview-grid-wrap">
      <table className="preview-grid" aria-label={"Previews of " + columns.map((c) => c.title).join(" and ")}>
        <thead>
          <tr>
            <th>prompt · seed</th>
            {columns.map((c) => (
              <th key={c.title}>
                {c.title}{" "}
                <span className="muted small">
                  {formatCost(c.previews.reduce((sum, p) => sum + (p.cost_usd ?? 0), 0))}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.prompt_index}/${r.seed}`} data-row={`${r.prompt_index}/${r.seed}`}>
              <th scope="row">
                {r.label} <span className="muted small">seed {r.seed}</span>
              </th>
              {columns.map((c) => (
                <td key={c.title}>
                  <Cell
                    preview={c.previews.find((p) => p.prompt_index === r.prompt_index && p.seed === r.seed)}
                    onOpen={setOpen}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {box}
    </div>
  );
}
