import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths never written to logs: credentials, cookies, secrets. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'currentPassword',
  '*.currentPassword',
  'newPassword',
  '*.newPassword',
  'accessToken',
  '*.accessToken',
  'kubeconfig',
  '*.kubeconfig',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'connection.kubeconfig',
  'connection.token',
  '*.connection.kubeconfig',
  '*.connection.token',
];

export function createLogger(options: { level: string; pretty: boolean; name?: string }): Logger {
  return pino({
    name: options.name ?? 'hmas',
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(options.pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  });
}
