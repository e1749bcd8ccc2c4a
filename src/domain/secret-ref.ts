import { z } from 'zod';

/**
 * References to named secrets from deployment settings: an `extraEnv` value is either plain
 * text or `{ "secretRef": "<name>" }`. Plain values under names that look like they hold a
 * secret are refused, so tokens never sit in settings that viewers read and the database
 * stores in clear. Pure: the server, the web UI and the CLI apply the same rules.
 */

export const SECRET_NAME_MAX = 63;

/**
 * A DNS-1123 label: usable unchanged as a Kubernetes Secret name and as a key of its `data`,
 * in URLs and on command lines without quoting.
 */
export const secretNameSchema = z
  .string()
  .min(1, 'The secret name must not be empty.')
  .max(SECRET_NAME_MAX, `The secret name may have at most ${SECRET_NAME_MAX} characters.`)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'Secret names are DNS-1123 labels: lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. "hf-token").');

export const secretRefSchema = z
  .object({ secretRef: secretNameSchema.describe('Name of a secret created with POST /api/secrets.') })
  .strict()
  .describe('The value of the named secret, injected when the replica starts; never shown.');
export type SecretRef = z.infer<typeof secretRefSchema>;

/** An `extraEnv` value as stored: plain text, or a reference to a named secret. */
export type EnvValue = string | SecretRef;

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && typeof (value as { secretRef?: unknown }).secretRef === 'string';
}

// Words that mark a variable as holding a secret, compared with each "_"-separated part of the
// name. A part equal to the word, or ending with it (APIKEY, ACCESSTOKEN), counts. Parts are
// compared whole so that counts such as MAX_BATCH_TOKENS or KEEP_ALIVE do not match.
const SECRET_WORDS_AT_END = ['TOKEN', 'KEY', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWORDS', 'PASSWD', 'CREDENTIAL', 'CREDENTIALS'] as const;
// Short words that are secrets only on their own (DB_PASS), not inside others (BYPASS).
const SECRET_WORDS_WHOLE = ['PASS', 'PAT'] as const;

/**
 * True when the variable's name says it holds a secret: HF_TOKEN, HUGGING_FACE_HUB_TOKEN,
 * VLLM_API_KEY, OPENAI_APIKEY, DB_PASSWORD, AWS_SECRET_ACCESS_KEY, GOOGLE_APPLICATION_CREDENTIALS.
 * AUTH alone is not a mark: AUTH_TYPE or DISABLE_AUTH are switches, and AUTH_TOKEN is caught by TOKEN.
 */
export function isSecretLookingName(name: string): boolean {
  return name
    .toUpperCase()
    .split('_')
    .some((part) => SECRET_WORDS_AT_END.some((word) => part.endsWith(word)) || (SECRET_WORDS_WHOLE as readonly string[]).includes(part));
}

export interface SecretRefIssue {
  /** JSON pointer into the optimization, e.g. `/raw/extraEnv/HF_TOKEN`. */
  path: string;
  message: string;
}

/** A name suggested for the secret holding `variable`'s value: HF_TOKEN → hf-token. */
export function suggestedSecretName(variable: string): string {
  const name = variable
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SECRET_NAME_MAX)
    .replace(/-+$/, '');
  return name || 'my-secret';
}

/** Plain, non-empty values under secret-looking names, each with a hint how to make it a secret. */
export function plainSecretIssues(extraEnv: Readonly<Record<string, EnvValue>> | undefined): SecretRefIssue[] {
  const issues: SecretRefIssue[] = [];
  for (const [name, value] of Object.entries(extraEnv ?? {})) {
    if (typeof value !== 'string' || value === '' || !isSecretLookingName(name)) continue;
    const suggested = suggestedSecretName(name);
    issues.push({
      path: `/raw/extraEnv/${name}`,
      message: `${name} looks like a secret: do not put its value in the settings. Create a secret (POST /api/secrets or "hmas secret create ${suggested}") and set ${name} to { "secretRef": "${suggested}" }.`,
    });
  }
  return issues;
}

/** The secret names an `extraEnv` refers to, each once, sorted. */
export function secretRefsOf(extraEnv: Readonly<Record<string, EnvValue>> | undefined): string[] {
  const names = new Set<string>();
  for (const value of Object.values(extraEnv ?? {})) if (isSecretRef(value)) names.add(value.secretRef);
  return [...names].sort();
}

/** Splits an `extraEnv` into plain variables and variables taken from secrets (variable → secret name). */
export function splitExtraEnv(extraEnv: Readonly<Record<string, EnvValue>> | undefined): { plain: Record<string, string>; fromSecrets: Record<string, string> } {
  const plain: Record<string, string> = {};
  const fromSecrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(extraEnv ?? {})) {
    if (isSecretRef(value)) fromSecrets[name] = value.secretRef;
    else plain[name] = value;
  }
  return { plain, fromSecrets };
}
