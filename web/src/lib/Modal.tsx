// The frame of every dialog: a backdrop that closes it when clicked, Escape to close, a title
// and a close button that takes the focus when it opens.
import { useEffect, useRef, type ReactNode } from "react";

interface Props {
  /** The dialog's accessible name. */
  label: string;
  title: ReactNode;
  /** Extra class of the dialog box ("guidelines", "batch"). */
  className: string;
  onClose: () => void;
  children: ReactNode;
}

export function Modal({ label, title, className, onClose, children }: Props) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className={"modal " + className}
        role="dialog"
        aria-modal="true"
        aria-label={label}
        onKeyDown={(e) => e.key === "Escape" && onClose()}
      >
        <header className="modal-head">
          <h2>{title}</h2>
          <button ref={close} className="ghost" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="guidelines-body">{children}</div>
      </div>
    </div>
  );
}
