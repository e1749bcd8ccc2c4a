import { AppError } from '../lib/errors.js';

/** A connection a client sent that cannot be used: bad kubeconfig, unknown context, … (400). */
export class InvalidConnectionError extends AppError {
  constructor(message: string) {
    super('INVALID_CONNECTION', message, { statusCode: 400 });
  }
}

/**
 * A server answered, but not the way the Kubernetes API does (no version, a list without items,
 * a page of HTML). The message is H-MAS's own words, safe to show.
 */
export class UnexpectedAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedAnswerError';
  }
}

/** A deadline passed; the message is H-MAS's own words, safe to show. */
export class DeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineError';
  }
}

/** Resolves like `promise`, or rejects with a {@link DeadlineError} saying `message` once `ms` have passed. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(message)), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Seconds for messages: 10000 → "10 s", 1500 → "1.5 s". */
export function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** The first line of an error's message, capped: safe to show without dumping bodies. */
export function shortReason(error: unknown, max = 300): string {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split('\n')[0]?.trim() ?? '';
  return firstLine.length > max ? `${firstLine.slice(0, max)}…` : firstLine || 'unknown error';
}
