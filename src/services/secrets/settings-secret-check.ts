import type { EnvValue } from '../../domain/secret-ref.js';

/**
 * What the deployments and presets services ask of the secrets service before they save
 * settings: throws 400 SECRET_VALUE_IN_SETTINGS for plain values under secret-looking names and
 * 400 SECRET_NOT_FOUND for references to secrets that do not exist.
 */
export interface SettingsSecretCheck {
  checkSettings(extraEnv: Readonly<Record<string, EnvValue>> | undefined, pathPrefix?: string): Promise<void>;
}
