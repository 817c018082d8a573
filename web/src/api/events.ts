// The server's event stream (GET /api/events): one EventSource for the page, fanned out to
// subscribers by event type. The browser reconnects by itself and sends Last-Event-ID.
import { useEffect, useRef } from "react";

type Handler = (data: unknown) => void;
const handlers = new Map<string, Set<Handler>>();
let source: EventSource | null = null;
const TYPES = ["version", "log", "preview", "sync", "tunnel", "registry", "reset"];

function ensureSource() {
  if (source) return;
  source = new EventSource("/api/events");
  for (const type of TYPES) {
    source.addEventListener(type, (e) => {
      const data: unknown = JSON.parse((e as MessageEvent<string>).data);
      for (const h of handlers.get(type) ?? []) h(data);
    });
  }
}

/** Calls `handler` with each event of `type` while the component is mounted. */
export function useEvent<T>(type: string, handler: (data: T) => void) {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    ensureSource();
    const h: Handler = (d) => ref.current(d as T);
    let set = handlers.get(type);
    if (!set) handlers.set(type, (set = new Set()));
    set.add(h);
    return () => {
      set.delete(h);
    };
  }, [type]);
}
