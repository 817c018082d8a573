import type { ParameterSpec } from "../../api/types";
import { Modal } from "../../lib/Modal";

// What each parameter does and what works for faces: the server's parameter table.
export function GuidelinesModal({ table, onClose }: { table: ParameterSpec[]; onClose: () => void }) {
  return (
    <Modal
      label="Training guidelines"
      title="Training guidelines for face LoRAs"
      className="guidelines"
      onClose={onClose}
    >
      <p>
        The server picks these values from the number of synced images (Auto-adjust). Change them only with a reason;
        the form shows the server's checks as you type.
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
    </Modal>
  );
}
