// The actor selector: a modal with a virtualized grid of poster cards, a debounced server-side
// search, sex/ethnicity filters with facet counts, "has data"/"has model" toggles, and arrow-key
// navigation. Only the rows in view are rendered, and pages of 200 actors are fetched as the
// user scrolls, so it opens at once with 10,000 actors.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { api, type ActorQuery } from "../../api/client";
import type { ActorItem, ActorPage } from "../../api/types";
import { syncLabel } from "../../lib/format";
import { Poster } from "../../lib/Poster";

const PAGE = 200;
const MIN_CARD_W = 168; // cards stretch to fill the row, so no blank strip is left at the side
const CARD_EXTRA_H = 108; // name (two lines), meta line and badges under the square poster
const GAP = 12;

interface Props {
  selectedId: string | null;
  onSelect: (actor: ActorItem) => void;
  onClose: () => void;
}

export function ActorSelectorModal({ selectedId, onSelect, onClose }: Props) {
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const [sex, setSex] = useState<string[]>([]);
  const [ethnicity, setEthnicity] = useState<string[]>([]);
  const [hasData, setHasData] = useState(false);
  const [hasModel, setHasModel] = useState(false);
  const [total, setTotal] = useState<number | null>(null);
  const [facets, setFacets] = useState<ActorPage["facets"] | null>(null);
  const [items, setItems] = useState<(ActorItem | undefined)[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loadedQuery, setLoadedQuery] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const generation = useRef(0);
  const loading = useRef(new Set<number>());

  // Debounce typing: the server searches; the page only waits for the user to pause.
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 50);
    return () => clearTimeout(t);
  }, [text]);

  const query = useMemo<ActorQuery>(
    () => ({ q, sex, ethnicity, hasData, hasModel, limit: PAGE, offset: 0 }),
    [q, sex, ethnicity, hasData, hasModel],
  );

  const loadPage = useCallback(
    (page: number, gen: number, signal?: AbortSignal) => {
      if (loading.current.has(page)) return;
      loading.current.add(page);
      api
        .actors({ ...query, offset: page * PAGE }, signal)
        .then((res) => {
          if (gen !== generation.current) return;
          setTotal(res.total);
          if (page === 0) setLoadedQuery(query.q);
          setFacets((f) => (page === 0 || !f ? res.facets : f));
          setItems((old) => {
            const next = page === 0 ? new Array<ActorItem | undefined>(res.total) : old.slice();
            res.items.forEach((a, i) => (next[page * PAGE + i] = a));
            return next;
          });
          setError(null);
        })
        .catch((e: unknown) => {
          if ((e as Error).name !== "AbortError") setError(String((e as Error).message));
        })
        .finally(() => loading.current.delete(page));
    },
    [query],
  );

  useEffect(() => {
    const gen = ++generation.current;
    loading.current = new Set();
    const ctl = new AbortController();
    loadPage(0, gen, ctl.signal);
    setActive(0);
    return () => ctl.abort();
  }, [loadPage]);

  // Grid geometry and the rows in view.
  const scroller = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 900, height: 600 });
  const [scrollTop, setScrollTop] = useState(0);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const columns = Math.max(1, Math.floor((size.width - GAP) / (MIN_CARD_W + GAP)));
  const CARD_W = (size.width - GAP * (columns + 1)) / columns;
  const CARD_H = CARD_W - 16 + CARD_EXTRA_H;
  const count = total ?? 0;
  const rows = Math.ceil(count / columns);
  const rowH = CARD_H + GAP;
  const first = Math.max(0, Math.floor(scrollTop / rowH) - 2);
  const last = Math.min(rows, Math.ceil((scrollTop + size.height) / rowH) + 2);

  useEffect(() => {
    for (let r = first; r < last; r++) {
      for (let c = 0; c < columns; c++) {
        const i = r * columns + c;
        if (i < count && !items[i]) loadPage(Math.floor(i / PAGE), generation.current);
      }
    }
  }, [first, last, columns, count, items, loadPage]);

  // Keyboard: arrows move, Enter picks, Escape closes.
  const grid = useRef<HTMLDivElement>(null);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      onClose();
      return;
    }
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
    const move = moves[e.key];
    if (move !== undefined && e.target === grid.current) {
      e.preventDefault();
      const next = Math.min(Math.max(0, active + move), Math.max(0, count - 1));
      setActive(next);
      const el = scroller.current;
      if (el) {
        const top = Math.floor(next / columns) * rowH;
        if (top < el.scrollTop) el.scrollTop = top;
        else if (top + rowH > el.scrollTop + el.clientHeight) el.scrollTop = top + rowH - el.clientHeight;
      }
    } else if (e.key === "Enter" && e.target === grid.current) {
      const a = items[active];
      if (a) onSelect(a);
    }
  };

  const search = useRef<HTMLInputElement>(null);
  useEffect(() => search.current?.focus(), []);

  const toggle = (list: string[], set: (v: string[]) => void, value: string) =>
    set(list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);

  const cards = [];
  for (let r = first; r < last; r++) {
    for (let c = 0; c < columns; c++) {
      const i = r * columns + c;
      if (i >= count) break;
      const a = items[i];
      cards.push(
        <ActorCard
          key={a ? a.id : "slot" + i}
          actor={a}
          active={i === active}
          selected={!!a && a.id === selectedId}
          style={{ top: r * rowH + GAP, left: GAP + c * (CARD_W + GAP), width: CARD_W, height: CARD_H }}
          onPick={() => a && onSelect(a)}
        />,
      );
    }
  }

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal selector"
        role="dialog"
        aria-modal="true"
        aria-label="Select an actor"
        onKeyDown={onKeyDown}
      >
        <header className="modal-head">
          <h2>Select an actor</h2>
          <button className="ghost" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="selector-tools">
          <input
            ref={search}
            type="search"
            placeholder="Search name, id or description"
            aria-label="Search actors"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <FacetGroup label="Sex" counts={facets?.sex} chosen={sex} onToggle={(v) => toggle(sex, setSex, v)} />
          <FacetGroup
            label="Ethnicity"
            counts={facets?.ethnicity}
            chosen={ethnicity}
            onToggle={(v) => toggle(ethnicity, setEthnicity, v)}
          />
          <label className="toggle">
            <input type="checkbox" checked={hasData} onChange={(e) => setHasData(e.target.checked)} /> has data
            {facets && <span className="count">{facets.has_data}</span>}
          </label>
          <label className="toggle">
            <input type="checkbox" checked={hasModel} onChange={(e) => setHasModel(e.target.checked)} /> has model
            {facets && <span className="count">{facets.has_model}</span>}
          </label>
          <span className="result-count" data-testid="result-count" data-query={loadedQuery ?? undefined}>
            {total == null ? "loading…" : `${total} actor${total === 1 ? "" : "s"}`}
          </span>
        </div>
        {error && <p className="error-text">Could not load actors: {error}</p>}
        <div className="grid-scroller" ref={scroller} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
          <div
            className="grid"
            ref={grid}
            tabIndex={0}
            role="listbox"
            aria-label="Actors"
            aria-activedescendant={items[active] ? "actor-" + items[active]?.id : undefined}
            style={{ height: rows * rowH + GAP }}
          >
            {cards}
          </div>
          {total === 0 && (
            <div className="empty">
              <p>No actor matches.</p>
              {(text || sex.length > 0 || ethnicity.length > 0 || hasData || hasModel) && (
                <button
                  onClick={() => {
                    setText("");
                    setSex([]);
                    setEthnicity([]);
                    setHasData(false);
                    setHasModel(false);
                  }}
                >
                  Clear filters
                </button>
              )}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

function FacetGroup({
  label,
  counts,
  chosen,
  onToggle,
}: {
  label: string;
  counts: Record<string, number> | undefined;
  chosen: string[];
  onToggle: (value: string) => void;
}) {
  const values = Array.from(new Set([...Object.keys(counts ?? {}), ...chosen])).sort();
  return (
    <fieldset className="facets">
      <legend>{label}</legend>
      {values.map((v) => (
        <label key={v} className={"chip" + (chosen.includes(v) ? " on" : "")}>
          <input type="checkbox" checked={chosen.includes(v)} onChange={() => onToggle(v)} />
          {v.replace(/_/g, " ")} <span className="count">{counts?.[v] ?? 0}</span>
        </label>
      ))}
    </fieldset>
  );
}

function ActorCard({
  actor,
  active,
  selected,
  style,
  onPick,
}: {
  actor: ActorItem | undefined;
  active: boolean;
  selected: boolean;
  style: React.CSSProperties;
  onPick: () => void;
}) {
  if (!actor) return <div className="card placeholder" style={style} aria-hidden="true" />;
  const state = actor.training_data.state;
  return (
    <div
      id={"actor-" + actor.id}
      role="option"
      aria-selected={selected}
      className={"card" + (active ? " active" : "") + (selected ? " selected" : "")}
      style={style}
      onClick={onPick}
      data-actor-id={actor.id}
    >
      <div className="poster">
        <Poster actor={actor} size={160} />
        {actor.validated_lora_model && (
          <span className="badge model" title="validated model">
            ✓ model
          </span>
        )}
      </div>
      <div className="card-name" title={actor.name}>
        {actor.name}
      </div>
      <div className="card-meta" title={[actor.age, actor.sex, actor.ethnicity].filter(Boolean).join(" · ")}>
        {[actor.sex, actor.age, actor.ethnicity?.replace(/_/g, " ")].filter(Boolean).join(" · ")}
      </div>
      <div className="card-badges">
        <span className={"badge sync " + state}>
          {actor.training_data.count} img
          {actor.training_data.excluded > 0 ? ` (+${actor.training_data.excluded} bad)` : ""} · {syncLabel[state]}
        </span>
        <QualityBadge data={actor.training_data} />
        {actor.latest_version && (
          <span className={"badge status " + actor.latest_version.status}>
            {actor.latest_version.name} {actor.latest_version.status}
          </span>
        )}
      </div>
    </div>
  );
}

// What the image-quality checks found, once the actor's images were measured (opening the
// actor, a sync, a training or `data check`); nothing before.
function QualityBadge({ data }: { data: ActorItem["training_data"] }) {
  const measured = data.faces.one + data.faces.none + data.faces.several;
  if (measured === 0) return null;
  const clean = data.quality_findings === 0;
  const title = `faces: ${data.faces.one} one face · ${data.faces.none} none · ${data.faces.several} several; ${data.quality_findings} quality findings`;
  return (
    <span
      className={"badge quality " + (clean ? "clean" : data.faces.none > 0 ? "bad" : "mixed")}
      title={title}
      data-testid="quality-badge"
    >
      {clean ? "✓ data" : `⚠ ${data.quality_findings}`}
    </span>
  );
}
