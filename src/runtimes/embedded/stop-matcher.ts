/**
 * Finds stop sequences in streamed text. Text that could be the start of a stop sequence is held
 * back until the next piece shows whether it is one, so a stop sequence split across tokens is
 * never sent to the client (what OpenAI and llama.cpp do).
 */
export interface StopMatcher {
  /** Adds generated text; answers what may be sent now and whether a stop sequence matched. */
  push(text: string): { text: string; stopped: boolean };
  /** The held-back text, once generation ended without a stop sequence. */
  flush(): string;
}

export function createStopMatcher(stops: readonly string[]): StopMatcher {
  const sequences = stops.filter((stop) => stop.length > 0);
  let held = '';
  return {
    push(text) {
      held += text;
      // The earliest stop sequence wins; text before it is sent, the rest is dropped.
      let cut = -1;
      for (const stop of sequences) {
        const at = held.indexOf(stop);
        if (at !== -1 && (cut === -1 || at < cut)) cut = at;
      }
      if (cut !== -1) {
        const before = held.slice(0, cut);
        held = '';
        return { text: before, stopped: true };
      }
      // Keep the longest tail of `held` that is a proper prefix of some stop sequence.
      let keep = 0;
      for (const stop of sequences) {
        for (let length = Math.min(stop.length - 1, held.length); length > keep; length -= 1) {
          if (held.endsWith(stop.slice(0, length))) {
            keep = length;
            break;
          }
        }
      }
      const ready = held.slice(0, held.length - keep);
      held = held.slice(held.length - keep);
      return { text: ready, stopped: false };
    },
    flush() {
      const rest = held;
      held = '';
      return rest;
    },
  };
}
