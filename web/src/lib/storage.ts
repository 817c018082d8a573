// The last parameters used per actor, kept in the browser (localStorage).
import type { Parameters } from "../api/types";

const key = (actorId: string) => `actor-trainer.params.${actorId}`;

export function loadParameters(actorId: string): Parameters | null {
  try {
    const text = localStorage.getItem(key(actorId));
    return text ? (JSON.parse(text) as Parameters) : null;
  } catch {
    return null;
  }
}

export function saveParameters(actorId: string, parameters: Parameters) {
  try {
    localStorage.setItem(key(actorId), JSON.stringify(parameters));
  } catch {
    // storage full or disabled: the form still works, it just forgets
  }
}

export function forgetParameters(actorId: string) {
  try {
    localStorage.removeItem(key(actorId));
  } catch {
    // as above
  }
}
