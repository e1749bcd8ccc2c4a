-- Deployments: a model served by a runtime on a cluster. The cluster holds the real state;
-- this table holds the operator's intent and the last status H-MAS saw (`status_*`), which
-- answers reads when the cluster does not (statusSource = cached).
CREATE TABLE deployments (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (name ~ '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' AND length(name) <= 63),
  model_id uuid NOT NULL REFERENCES models (id) ON DELETE RESTRICT,
  cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE RESTRICT,
  placement_strategy_id uuid REFERENCES policies (id) ON DELETE RESTRICT,
  resource_profile_id uuid REFERENCES policies (id) ON DELETE RESTRICT,
  runtime text NOT NULL,
  replicas integer NOT NULL CHECK (replicas >= 0 AND replicas <= 64),
  optimization jsonb NOT NULL DEFAULT '{}'::jsonb,
  optimization_preset_id text,
  -- How the last restart-causing change rolled out; part of the workload spec (and its hash).
  strategy text NOT NULL DEFAULT 'RollingUpdate' CHECK (strategy IN ('RollingUpdate', 'Recreate')),
  paused boolean NOT NULL DEFAULT false,
  deleting boolean NOT NULL DEFAULT false,
  spec_hash text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'deploying', 'running', 'paused', 'failed', 'unknown', 'deleting')),
  status_reason text,
  status_message text NOT NULL DEFAULT '',
  ready_replicas integer NOT NULL DEFAULT 0,
  endpoints jsonb NOT NULL DEFAULT '[]'::jsonb,
  observed_at timestamptz,
  consecutive_failures integer NOT NULL DEFAULT 0,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX deployments_name_key ON deployments (name);
CREATE INDEX deployments_cluster_idx ON deployments (cluster_id);
CREATE INDEX deployments_model_idx ON deployments (model_id);
CREATE INDEX deployments_status_idx ON deployments (status);
