-- API keys for the inference gateway. Only the SHA-256 of a key is stored; the plain key is
-- shown once, when it is created.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  key_sha256 text NOT NULL,
  -- `sk-hmas-` and the first characters of the key, for lists.
  key_prefix text NOT NULL,
  scopes jsonb NOT NULL DEFAULT '["inference"]'::jsonb,
  -- Deployment names the key may call; empty = all.
  allowed_deployments jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- NULL = inherit the user's limit, then the server default; 0 = unlimited.
  rpm integer CHECK (rpm >= 0),
  tpm integer CHECK (tpm >= 0),
  active boolean NOT NULL DEFAULT true,
  expires_at timestamptz,
  last_used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE UNIQUE INDEX api_keys_key_sha256_key ON api_keys (key_sha256);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC);
