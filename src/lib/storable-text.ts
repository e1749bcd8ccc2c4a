/**
 * Text PostgreSQL can store: no NUL character (its text type refuses it) and no unpaired UTF-16
 * surrogate (not text at all). Both checks are native scans, cheap enough for the request path.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

/** `text` made storable: each NUL and each unpaired surrogate becomes U+FFFD. */
export function toStorableText(text: string): string {
  return isStorableText(text) ? text : text.toWellFormed().replaceAll('\u0000', '\ufffd');
}
