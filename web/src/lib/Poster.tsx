// An actor's poster, or its initials when there is none or it cannot be loaded (a remote
// poster frame that is gone, or a browser without internet access).
import { useState } from "react";
import type { ActorItem } from "../api/types";

export function Poster({ actor, size }: { actor: ActorItem; size: number }) {
  const [failed, setFailed] = useState(false);
  if (!actor.poster_url || failed) {
    return (
      <span className="no-poster" style={{ fontSize: Math.max(11, size / 6) }}>
        {actor.name.slice(0, 2)}
      </span>
    );
  }
  const src = actor.poster_url + (actor.poster_url.startsWith("/api/") ? "?size=small" : "");
  return <img src={src} alt="" loading="lazy" width={size} height={size} onError={() => setFailed(true)} />;
}
