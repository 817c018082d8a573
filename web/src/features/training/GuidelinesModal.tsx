import { useEffect, useRef } from "react";
import type { ParameterSpec } from "../../api/types";

// What each parameter does and what works for faces: the server's parameter table.
export function GuidelinesModal({ table, onClose }: { table: ParameterSpec[]; onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal guidelines"
        role="dialog"
        aria-modal="true"
        aria-label="Training guidelines"
        onKeyDown={(e) => e.key === "Escape" && onClose()}
      >
        <header className="modal-head">
          <h2>Training guidelines for face LoRAs</h2>
          <button ref={close} className="ghost" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="guidelines-body">
          <p>
            The server picks these values from the number of synced images (Auto-adjust). Change them only with a
            reason; the form shows the server's checks as you type.
          </p>
          <dl>
            {table.map((g) => (
              <div key={g.name} className="guideline">
                <dt>
                  {g.label} <code>{g.name}</code>
                </dt>
                <dd>
                  {g.what}
                  <br />
                  <span className="good">Good: {g.good}</span>
                </dd>
              </div>
            ))}
          </dl>
        </div>
      </div>
    </div>
  );
}
