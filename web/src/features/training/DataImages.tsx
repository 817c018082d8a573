// The training images of one actor: thumbnails with the detected face boxes drawn on them and
// each image's findings, a filter for the images with findings, and the near-duplicate groups
// side by side.
import { useState } from "react";
import type { TrainingData, TrainingFile } from "../../api/types";

const THUMBS = 12;
const SIDE = 56;

// The thumbnail's size on the page: the image upright, fitted in SIDE × SIDE.
function fitted(f: TrainingFile): { width: number; height: number } {
  const w = f.quality?.width ?? f.width;
  const h = f.quality?.height ?? f.height;
  if (!w || !h) return { width: SIDE, height: SIDE };
  const scale = SIDE / Math.max(w, h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

function worst(f: TrainingFile): "error" | "warning" | null {
  if (f.checks.some((c) => c.severity === "error")) return "error";
  return f.checks.length > 0 ? "warning" : null;
}

function ImageThumb({ file, selected, onSelect }: { file: TrainingFile; selected: boolean; onSelect: () => void }) {
  const size = fitted(file);
  const q = file.quality;
  const level = worst(file);
  const title = [
    `${file.name} ${file.width}×${file.height}`,
    ...file.checks.map((c) => `${c.severity}: ${c.message}`),
  ].join("\n");
  return (
    <button
      type="button"
      className={"face-thumb" + (level ? " has-" + level : "") + (selected ? " selected" : "")}
      style={size}
      title={title}
      aria-label={file.name}
      aria-pressed={selected}
      data-file={file.name}
      onClick={onSelect}
    >
      <img
        src={file.thumbnail_url + "?size=small"}
        alt={file.name}
        width={size.width}
        height={size.height}
        loading="lazy"
      />
      {q?.faces.map((b, i) => (
        <span
          key={i}
          className="face-box"
          data-testid="face-box"
          style={{
            left: `${(100 * b.x) / q.width}%`,
            top: `${(100 * b.y) / q.height}%`,
            width: `${(100 * b.width) / q.width}%`,
            height: `${(100 * b.height) / q.height}%`,
          }}
        />
      ))}
      {level && <span className={"thumb-flag " + level}>{file.checks.length}</span>}
    </button>
  );
}

function Thumb({ file, selected, onSelect }: { file: TrainingFile; selected: boolean; onSelect: () => void }) {
  if (file.status === "image" && !file.thumbnail_url)
    return (
      <span className="thumb-remote" title={`${file.name} ${file.width}×${file.height} in S3`} data-file={file.name}>
        {file.width}×{file.height}
      </span>
    );
  if (file.status === "image") return <ImageThumb file={file} selected={selected} onSelect={onSelect} />;
  return (
    <span className="thumb-excluded" title={`${file.name}: ${file.status.replace("_", " ")}`} data-file={file.name}>
      {file.status.replace("_", " ")}
    </span>
  );
}

export function DataImages({ data }: { data: TrainingData }) {
  const [all, setAll] = useState(false);
  const [onlyFindings, setOnlyFindings] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const files = data.files.filter((f) => f.status !== "ignored");
  const filtered = onlyFindings ? files.filter((f) => f.checks.length > 0 || f.status !== "image") : files;
  const shown = all ? filtered : filtered.slice(0, THUMBS);
  const byName = new Map(files.map((f) => [f.name, f]));
  const chosen = selected ? byName.get(selected) : undefined;
  const withFindings = files.filter((f) => f.checks.length > 0).length;
  return (
    <>
      {data.faces_summary && (
        <p className="small" data-testid="faces-summary">
          {data.faces_summary}
        </p>
      )}
      <label className="small filter-findings">
        <input
          type="checkbox"
          checked={onlyFindings}
          onChange={(e) => setOnlyFindings(e.target.checked)}
          data-testid="only-findings"
        />{" "}
        only images with findings ({withFindings})
      </label>
      <div className="thumbs" data-testid="thumbs">
        {shown.map((f) => (
          <Thumb
            key={f.name}
            file={f}
            selected={f.name === selected}
            onSelect={() => setSelected(f.name === selected ? null : f.name)}
          />
        ))}
        {filtered.length > THUMBS && (
          <button className="small thumb-more" onClick={() => setAll((v) => !v)}>
            {all ? "show fewer" : `+${filtered.length - THUMBS} more`}
          </button>
        )}
      </div>
      {chosen && (
        <div className="image-detail" data-testid="image-detail">
          <strong>{chosen.name}</strong>{" "}
          <span className="muted small">
            {chosen.width}×{chosen.height}
            {chosen.quality &&
              ` · ${chosen.quality.faces.length} face${chosen.quality.faces.length === 1 ? "" : "s"} · sharpness ${Math.round(
                chosen.quality.sharpness,
              )} · ${chosen.quality.exposure_of} level ${Math.round(chosen.quality.brightness)}`}
          </span>
          {chosen.checks.length > 0 ? (
            <ul className="findings">
              {chosen.checks.map((c, i) => (
                <li key={i} className={c.severity}>
                  {c.message}
                </li>
              ))}
            </ul>
          ) : (
            <p className="small ok-text">no findings</p>
          )}
        </div>
      )}
      {data.near_duplicate_groups.length > 0 && (
        <div className="near-duplicates" data-testid="near-duplicates">
          <h4>Near-duplicates</h4>
          {data.near_duplicate_groups.map((group) => (
            <div key={group.join("|")} className="near-duplicate-group" data-testid="near-duplicate-group">
              {group.map((name, i) => {
                const f = byName.get(name);
                return (
                  <figure key={name} className={i === 0 ? "kept" : "repeat"}>
                    {f?.thumbnail_url ? (
                      <img src={f.thumbnail_url + "?size=small"} alt={name} width={SIDE} height={SIDE} loading="lazy" />
                    ) : null}
                    <figcaption className="small">
                      {name}
                      {i === 0 ? " (kept)" : ""}
                    </figcaption>
                  </figure>
                );
              })}
            </div>
          ))}
        </div>
      )}
    </>
  );
}
