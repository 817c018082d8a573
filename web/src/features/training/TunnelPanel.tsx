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
  return (
    <section className="panel tunnel-panel" aria-label="Webhook">
      <header className="panel-head"><h3>Webhook</h3>
        <span className="badge" data-testid="webhook-mode">{modeLabel[tunnel.mode] ?? tunnel.mode}</span>
      </header>
      <p className="small">
        {tunnel.webhook_base_url
          ? <>RunPod calls <code data-testid="webhook-url">{tunnel.webhook_base_url}</code></>
          : "No public URL: versions are tracked by polling RunPod."}
      </p>
      <div className="row">
        <span className="small muted" data-testid="ngrok-state">ngrok: {tunnel.ngrok.state}{tunnel.ngrok.public_url ? " · " + tunnel.ngrok.public_url : ""}</span>
        {ngrokOn
          ? <button disabled={busy} onClick={() => run(false)}>Stop ngrok</button>
          : <button disabled={busy} onClick={() => run(true)}>Start ngrok</button>}
      </div>
      {(error || tunnel.ngrok.message) && <p className="error-text small">{error ?? tunnel.ngrok.message}</p>}
    </section>
  );
}
