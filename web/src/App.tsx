// The one page: a header with the selected actor, the selector modal, and the training page.
import { Suspense, lazy, useCallback, useEffect, useState } from "react";
import { ApiError, api, hasToken, onUnauthorized, setToken } from "./api/client";
import { useEvent } from "./api/events";
import type { ActorItem, ServerSettings, Tunnel } from "./api/types";
import { ActorSelectorModal } from "./features/actors/ActorSelectorModal";
import { ImportModal } from "./features/actors/ImportModal";
import { BatchModal } from "./features/spend/BatchModal";
import { BudgetBadge } from "./features/spend/BudgetBadge";
import { TrainingPage } from "./pages/TrainingPage";
import { syncLabel } from "./lib/format";
import { Poster } from "./lib/Poster";

const LAST_ACTOR = "actor-trainer.actor";
// The analytics page and its chart library load when first opened, not with the page.
const AnalyticsPage = lazy(() => import("./pages/AnalyticsPage").then((m) => ({ default: m.AnalyticsPage })));

export function App() {
  const [settings, setSettings] = useState<ServerSettings | null>(null);
  const [tunnel, setTunnel] = useState<Tunnel | null>(null);
  const [actor, setActor] = useState<ActorItem | null>(null);
  const [selecting, setSelecting] = useState(false);
  const [importing, setImporting] = useState(false);
  const [batching, setBatching] = useState(false);
  const [view, setView] = useState<"training" | "analytics">("training");
  const [error, setError] = useState<string | null>(null);
  const [needToken, setNeedToken] = useState(false);

  useEffect(() => {
    onUnauthorized(() => setNeedToken(true));
    // A 401 is the token prompt's to explain; anything else means the server is not reachable.
    api.settings().then(setSettings, (e: Error) => {
      if (!(e instanceof ApiError && e.status === 401)) setError(e.message);
    });
    api.tunnel().then(setTunnel, () => undefined);
    const last = localStorage.getItem(LAST_ACTOR);
    if (last) api.actor(last).then(setActor, () => setSelecting(true));
    else setSelecting(true);
  }, []);

  // A fresh copy of the actor on screen. The answer may come after the user chose another
  // actor (a registry event fetches the one shown then): it then changes nothing.
  const reloadActor = useCallback(() => {
    if (!actor) return;
    api.actor(actor.id).then(
      (fresh) => setActor((shown) => (shown && shown.id === fresh.id ? fresh : shown)),
      () => undefined,
    );
  }, [actor]);

  useEvent<Tunnel["ngrok"]>("tunnel", () => {
    api.tunnel().then(setTunnel, () => undefined);
  });
  useEvent("registry", reloadActor);

  const pick = (a: ActorItem) => {
    setActor(a);
    setSelecting(false);
    setView("training");
    localStorage.setItem(LAST_ACTOR, a.id);
  };
  const openActor = (id: string) => api.actor(id).then(pick, (e: Error) => setError(e.message));

  return (
    <div className="app">
      <header className="topbar">
        <h1>Actor Trainer</h1>
        <button
          className="actor-button"
          onClick={() => setSelecting(true)}
          aria-haspopup="dialog"
          data-testid="choose-actor"
        >
          {actor ? (
            <>
              <span className="header-poster">
                <Poster actor={actor} size={32} />
              </span>
              <span data-testid="current-actor">{actor.name}</span>
              <span className={"badge sync " + actor.training_data.state}>
                {actor.training_data.count} img · {syncLabel[actor.training_data.state]}
              </span>
              {actor.validated_lora_model && (
                <span className="badge good" data-testid="validated">
                  validated {actor.validated_lora_model.version_name}
                </span>
              )}
            </>
          ) : (
            "Select an actor"
          )}
        </button>
        {settings && !settings.runpod_official && (
          <span className="banner-demo" data-testid="demo-banner" title={settings.runpod_base_url}>
            demo: RunPod emulator at {settings.runpod_base_url}
          </span>
        )}
        {settings && !settings.runpod_configured && <span className="badge warn">RunPod not configured</span>}
        <nav className="views" aria-label="Views">
          <button
            className={view === "training" ? "tab active" : "tab"}
            aria-pressed={view === "training"}
            onClick={() => setView("training")}
          >
            Training
          </button>
          <button
            className={view === "analytics" ? "tab active" : "tab"}
            aria-pressed={view === "analytics"}
            onClick={() => setView("analytics")}
          >
            Analytics
          </button>
        </nav>
        <BudgetBadge />
        <button onClick={() => setBatching(true)} aria-haspopup="dialog" disabled={!settings}>
          Train all eligible
        </button>
        <button className="ghost" onClick={() => setImporting(true)} aria-haspopup="dialog">
          Import history
        </button>
      </header>
      {error && <p className="error-text page-error">Cannot reach the server: {error}</p>}
      <main>
        {view === "analytics" ? (
          <Suspense fallback={<p className="muted center">Loading the analytics…</p>}>
            <AnalyticsPage onOpenVersion={(id) => void openActor(id)} />
          </Suspense>
        ) : actor && settings ? (
          <TrainingPage
            key={actor.id}
            actor={actor}
            settings={settings}
            tunnel={tunnel}
            onTunnel={setTunnel}
            onActorChanged={reloadActor}
          />
        ) : (
          <div className="center empty-state">
            <p className="muted">Choose an actor to train.</p>
            {!selecting && (
              <button className="primary" onClick={() => setSelecting(true)}>
                Choose an actor
              </button>
            )}
          </div>
        )}
      </main>
      {needToken && <TokenPrompt />}
      {batching && settings && !needToken && <BatchModal settings={settings} onClose={() => setBatching(false)} />}
      {importing && !needToken && <ImportModal onClose={() => setImporting(false)} onImported={reloadActor} />}
      {selecting && !needToken && (
        <ActorSelectorModal selectedId={actor?.id ?? null} onSelect={pick} onClose={() => setSelecting(false)} />
      )}
    </div>
  );
}

function TokenPrompt() {
  const [token, setValue] = useState("");
  const refused = hasToken();
  return (
    <div className="modal-backdrop">
      <form
        className="modal token"
        role="dialog"
        aria-modal="true"
        aria-label="Access token"
        onSubmit={(e) => {
          e.preventDefault();
          setToken(token.trim());
          location.reload();
        }}
      >
        <header className="modal-head">
          <h2>This server needs its access token</h2>
        </header>
        <div className="guidelines-body">
          {refused && (
            <p className="error-text small" data-testid="token-refused">
              The server did not accept that token; enter it again.
            </p>
          )}
          <p className="small">
            The token <code>serve</code> was started with (<code>--auth-token</code> or{" "}
            <code>ACTOR_TRAINER_AUTH_TOKEN</code>). It is kept for this browser session only.
          </p>
          <div className="row">
            <input
              type="password"
              autoFocus
              aria-label="Token"
              value={token}
              onChange={(e) => setValue(e.target.value)}
            />
            <button className="primary" type="submit" disabled={!token.trim()}>
              Continue
            </button>
          </div>
        </div>
      </form>
    </div>
  );
}
