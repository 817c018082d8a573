// The console: a version's log lines, colored by kind, arriving live. It follows new lines
// until the user scrolls up, and resumes when they scroll back to the bottom.
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { LogLine } from "../../api/types";

export function ConsolePanel({ title, lines }: { title: string; lines: LogLine[] }) {
  const box = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const [copied, setCopied] = useState(false);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [lines, follow]);

  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(t);
  }, [copied]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
  };

  const copy = async () => {
    const text = lines.map((l) => `${l.at} [${l.kind}] ${l.text}`).join("\n");
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <section className="panel console-panel" aria-label="Console">
      <header className="panel-head">
        <h3>
          Console <span className="muted">{title}</span>
        </h3>
        <div className="row">
          {!follow && (
            <button className="ghost small" onClick={() => setFollow(true)}>
              ↓ follow
            </button>
          )}
          <button className="ghost small" onClick={copy} disabled={lines.length === 0}>
            {copied ? "copied" : "copy"}
          </button>
        </div>
      </header>
      <div className="console" ref={box} onScroll={onScroll} role="log" aria-live="polite" data-testid="console">
        {lines.length === 0 && <div className="muted">No console lines yet.</div>}
        {lines.map((l) => (
          <div key={l.seq} className={"line " + l.kind}>
            <span className="at">{l.at.slice(11, 19)}</span>
            <span className="kind">{l.kind}</span>
            <span className="text">{l.text}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
