import { useState } from "react";
import { api } from "../../api/client";
import type { Tunnel } from "../../api/types";

const modeLabel: Record<string, string> = {
  public_url: "public URL",
  ngrok: "ngrok tunnel",
  none: "polling only (no webhook)",
};

export function TunnelPanel({ tunnel, onTunnel }: { tunnel: Tunnel | null; onTunnel: (t: Tunnel) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!tunnel) return null;
  const run = async (start: boolean) => {
    setBusy(true);
    setError(null);
    try {
      onTunnel(await (start ? api.tunnelStart() : api.tunnelStop()));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const ngrokOn = tunnel.ngrok.state === "running" || tunnel.ngrok.state === "starting";
  // Start is only offered when it can work; otherwise the page says what is missing.
  const cannot = !tunnel.ngrok.binary_found
    ? "ngrok is not installed (no ngrok program on PATH)"
    : !tunnel.ngrok.token_configured
      ? "set NGROK_AUTHTOKEN to use an ngrok tunnel"
      : "";
  return (
    <section className="panel tunnel-panel" aria-label="Webhook">
      <header className="panel-head">
        <h3>Webhook</h3>
        <span className="badge" data-testid="webhook-mode">
          {modeLabel[tunnel.mode] ?? tunnel.mode}
        </span>
      </header>
      <p className="small">
        {tunnel.webhook_base_url ? (
          <>
            RunPod calls <code data-testid="webhook-url">{tunnel.webhook_base_url}</code>
          </>
        ) : (
          "No public URL: versions are tracked by polling RunPod."
        )}
      </p>
      <div className="row">
        <span className="small muted" data-testid="ngrok-state">
          ngrok: {tunnel.ngrok.state}
          {tunnel.ngrok.public_url ? " · " + tunnel.ngrok.public_url : ""}
        </span>
        {ngrokOn ? (
          <button disabled={busy} onClick={() => run(false)}>
            Stop ngrok
          </button>
        ) : (
          <button disabled={busy || !!cannot} title={cannot} onClick={() => run(true)}>
            Start ngrok
          </button>
        )}
      </div>
      {cannot && !ngrokOn && (
        <p className="muted small" data-testid="ngrok-unavailable">
          {cannot}
        </p>
      )}
      {(error || (tunnel.ngrok.message && !cannot)) && (
        <p className="error-text small">{error ?? tunnel.ngrok.message}</p>
      )}
    </section>
  );
}
