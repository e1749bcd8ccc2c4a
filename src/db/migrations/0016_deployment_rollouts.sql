-- Rollouts: every change that restarts a deployment's replicas, with a snapshot of the settings
-- before it (what a rollback goes back to). The rollout monitor follows the progressing one and
-- rolls back automatically when the new replicas crash-loop, are OOM-killed or miss their
-- deadline. At most one rollout of a deployment progresses at a time (the partial unique index):
-- a change during a rollout supersedes it, and of two rollbacks at once only one can start.
CREATE TABLE deployment_rollouts (
  id uuid PRIMARY KEY,
  deployment_id uuid NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  cause text NOT NULL CHECK (cause IN ('manual', 'preset', 'rollback', 'failover', 'auto_tuning')),
  state text NOT NULL DEFAULT 'progressing' CHECK (state IN ('progressing', 'succeeded', 'failed', 'rolled_back', 'superseded')),
  strategy text NOT NULL CHECK (strategy IN ('RollingUpdate', 'Recreate')),
  -- {replicas, resourceProfileId, optimization, strategy} before and after the change.
  previous_config jsonb NOT NULL,
  previous_spec_hash text,
  target_config jsonb NOT NULL,
  target_spec_hash text NOT NULL,
  -- Set on a rollback: the rollout whose change it undoes.
  rollback_of uuid REFERENCES deployment_rollouts (id) ON DELETE SET NULL,
  reason text,
  message text NOT NULL DEFAULT '',
  actor_id uuid,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz
);
CREATE UNIQUE INDEX deployment_rollouts_one_progressing ON deployment_rollouts (deployment_id) WHERE state = 'progressing';
CREATE INDEX deployment_rollouts_deployment_idx ON deployment_rollouts (deployment_id, started_at DESC);

-- Config history: every change of a deployment's settings (creation included, `before` NULL),
-- who made it, why, and how it ended; a change that restarted replicas names its rollout.
CREATE TABLE deployment_config_history (
  id uuid PRIMARY KEY,
  deployment_id uuid NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  rollout_id uuid REFERENCES deployment_rollouts (id) ON DELETE SET NULL,
  cause text NOT NULL CHECK (cause IN ('manual', 'preset', 'rollback', 'failover', 'auto_tuning')),
  actor_id uuid,
  before jsonb,
  after jsonb NOT NULL,
  result text NOT NULL DEFAULT 'applied' CHECK (result IN ('applied', 'rolled_back', 'failed')),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX deployment_config_history_deployment_idx ON deployment_config_history (deployment_id, created_at DESC);
CREATE INDEX deployment_config_history_rollout_idx ON deployment_config_history (rollout_id);
