-- Named secrets referenced from deployment settings as { "secretRef": "<name>" }. The value is
-- sealed with the credential key (AES-256-GCM, as cluster credentials are); no query returns
-- it to a client.
CREATE TABLE secrets (
  name text PRIMARY KEY CHECK (name ~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'),
  description text NOT NULL DEFAULT '',
  value_sealed text NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz NOT NULL DEFAULT now()
);
