// The one page: a header with the selected actor, the selector modal, and the training page.
import { useCallback, useEffect, useState } from "react";
import { api, onUnauthorized, setToken } from "./api/client";
import { useEvent } from "./api/events";
import type { ActorItem, ServerSettings, Tunnel } from "./api/types";
import { ActorSelectorModal } from "./features/actors/ActorSelectorModal";
import { TrainingPage } from "./features/training/TrainingPage";
import { syncLabel } from "./lib/format";

const LAST_ACTOR = "actor-trainer.actor";

export function App() {
  const [settings, setSettings] = useState<ServerSettings | null>(null);
  const [tunnel, setTunnel] = useState<Tunnel | null>(null);
  const [actor, setActor] = useState<ActorItem | null>(null);
  const [selecting, setSelecting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [needToken, setNeedToken] = useState(false);

  useEffect(() => {
    onUnauthorized(() => setNeedToken(true));
    api.settings().then(setSettings, (e: Error) => setError(e.message));
    api.tunnel().then(setTunnel, () => undefined);
    const last = localStorage.getItem(LAST_ACTOR);
    if (last) api.actor(last).then(setActor, () => setSelecting(true));
    else setSelecting(true);
  }, []);

  const reloadActor = useCallback(() => {
    if (actor) api.actor(actor.id).then(setActor, () => undefined);
  }, [actor]);

  useEvent<Tunnel["ngrok"]>("tunnel", () => { api.tunnel().then(setTunnel, () => undefined); });
  useEvent("registry", reloadActor);

  const pick = (a: ActorItem) => {
    setActor(a);
    setSelecting(false);
    localStorage.setItem(LAST_ACTOR, a.id);
  };

  return (
    <div className="app">
      <header className="topbar">
        <h1>Actor Trainer</h1>
        <button className="actor-button" onClick={() => setSelecting(true)} aria-haspopup="dialog" data-testid="choose-actor">
          {actor ? (
            <>
              {actor.poster_url && <img src={actor.poster_url + (actor.poster_url.startsWith("/api/") ? "?size=small" : "")} alt="" width={32} height={32} />}
              <span data-testid="current-actor">{actor.name}</span>
              <span className={"badge sync " + actor.training_data.state}>{actor.training_data.count} img · {syncLabel[actor.training_data.state]}</span>
              {actor.validated_lora_model && <span className="badge good" data-testid="validated">validated {actor.validated_lora_model.version_name}</span>}
            </>
          ) : "Select an actor"}
        </button>
        {settings && !settings.runpod_official && (
          <span className="banner-demo" data-testid="demo-banner" title={settings.runpod_base_url}>
            demo: RunPod emulator at {settings.runpod_base_url}
          </span>
        )}
        {settings && !settings.runpod_configured && <span className="badge warn">RunPod not configured</span>}
      </header>
      {error && <p className="error-text page-error">Cannot reach the server: {error}</p>}
      <main>
        {actor && settings ? (
          <TrainingPage key={actor.id} actor={actor} settings={settings} tunnel={tunnel} onTunnel={setTunnel} onActorChanged={reloadActor} />
        ) : (
          <p className="muted center">Choose an actor to train.</p>
        )}
      </main>
      {needToken && <TokenPrompt />}
      {selecting && !needToken && (
        <ActorSelectorModal selectedId={actor?.id ?? null} onSelect={pick} onClose={() => setSelecting(false)} />
      )}
    </div>
  );
}

function TokenPrompt() {
  const [token, setValue] = useState("");
  return (
    <div className="modal-backdrop">
      <form className="modal token" role="dialog" aria-modal="true" aria-label="Access token"
        onSubmit={(e) => { e.preventDefault(); setToken(token.trim()); location.reload(); }}>
        <header className="modal-head"><h2>This server needs its access token</h2></header>
        <div className="guidelines-body">
          <p className="small">The token <code>serve</code> was started with (<code>--auth-token</code> or <code>ACTOR_TRAINER_AUTH_TOKEN</code>). It is kept for this browser session only.</p>
          <div className="row">
            <input type="password" autoFocus aria-label="Token" value={token} onChange={(e) => setValue(e.target.value)} />
            <button className="primary" type="submit" disabled={!token.trim()}>Continue</button>
          </div>
        </div>
      </form>
    </div>
  );
}
