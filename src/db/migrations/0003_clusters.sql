-- Clusters H-MAS serves models on. Credentials (kubeconfigs, agent tokens) are sealed by the
-- application with AES-256-GCM before they reach this table; the database never sees them.
CREATE TABLE clusters (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (name ~ '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' AND length(name) <= 63),
  display_name text NOT NULL,
  type text NOT NULL CHECK (type IN ('HP', 'GP')),
  scheduler text NOT NULL CHECK (scheduler IN ('default', 'koordinator')),
  labels jsonb NOT NULL DEFAULT '{}'::jsonb,
  image_precache boolean NOT NULL DEFAULT true,
  connection_kind text NOT NULL CHECK (connection_kind IN ('local', 'kubeconfig', 'federation', 'agent')),
  -- Non-secret connection settings: server URL, context, namespace, member cluster.
  connection jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Sealed JSON of the secrets (`v1.<iv>.<tag>.<ciphertext>`), or NULL when there are none.
  credentials_sealed text,
  -- SHA-256 of the agent token, so a connecting agent can be found without decrypting every row.
  agent_token_sha256 text,
  -- Bumped on every connection change: a test started before the change cannot store its result.
  connection_version integer NOT NULL DEFAULT 1,
  readiness_state text NOT NULL DEFAULT 'unknown' CHECK (readiness_state IN ('ready', 'notReady', 'unknown')),
  readiness_message text NOT NULL DEFAULT '',
  readiness_checked_at timestamptz,
  last_test jsonb,
  inventory jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX clusters_name_key ON clusters (name);
CREATE UNIQUE INDEX clusters_agent_token_sha256_key ON clusters (agent_token_sha256) WHERE agent_token_sha256 IS NOT NULL;

-- Facts about cluster registration that must outlive the clusters themselves, e.g. that the
-- local cluster was registered once (so deleting it is respected on the next start).
CREATE TABLE cluster_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
