// What kind of inference call a path is. What a request reserves against TPM limits is bounded
// in request-body.ts (prompt) and completion-cap.ts (completion).

/** What kind of call a request is: it decides whether a completion is expected. */
export type InferenceKind = 'chat' | 'completion' | 'embedding' | 'other';

/** The kind of an OpenAI-style path (`/v1/chat/completions`, `/chat/completions`, …). */
export function kindOfPath(path: string): InferenceKind {
  const end = path.indexOf('?');
  const bare = end === -1 ? path : path.slice(0, end);
  if (bare.endsWith('/chat/completions')) return 'chat';
  if (bare.endsWith('/completions')) return 'completion';
  if (bare.endsWith('/embeddings')) return 'embedding';
  return 'other';
}
