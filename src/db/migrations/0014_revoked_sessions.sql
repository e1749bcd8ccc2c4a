-- Sessions ended by sign-out: a session token whose id (jti) is listed here is refused until it
-- expires. Rows are useless once the token has expired and are purged then.
CREATE TABLE revoked_sessions (
  token_id text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_sessions_expires_at_idx ON revoked_sessions (expires_at);
