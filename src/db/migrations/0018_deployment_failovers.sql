-- Moves of deployments off a lost cluster (failover policies with action re-place), written by the
-- deployment-failover loop on the leader. One row per loss of a deployment's cluster:
--   pending   the cluster is lost; waiting out the grace period, or retrying after a failed move
--             (attempts, next_attempt_at, last_error)
--   moving    a move claimed (by one instance); the workload is being applied on to_cluster
--   moved     the deployment runs on to_cluster; its old copy on from_cluster is removed once
--             that cluster answers again
--   completed the old copy is gone (or there was none to remove)
--   cancelled the cluster came back (or the policy stopped asking for a move) before a move
-- The partial unique index is the guard "never more than one move in flight per deployment":
-- instances share this database, and a second pending/moving row for a deployment is refused.
-- No foreign key to deployments: a moved deployment deleted meanwhile still has an old copy to
-- remove on from_cluster, found by deployment_name.
CREATE TABLE deployment_failovers (
  id uuid PRIMARY KEY,
  deployment_id uuid NOT NULL,
  deployment_name text NOT NULL,
  from_cluster_id uuid NOT NULL,
  to_cluster_id uuid,
  state text NOT NULL CHECK (state IN ('pending', 'moving', 'moved', 'completed', 'cancelled')),
  reason text NOT NULL DEFAULT '',
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  detected_at timestamptz NOT NULL,
  next_attempt_at timestamptz,
  moved_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX deployment_failovers_one_in_flight ON deployment_failovers (deployment_id) WHERE state IN ('pending', 'moving');
CREATE INDEX deployment_failovers_by_deployment ON deployment_failovers (deployment_id, detected_at DESC);
CREATE INDEX deployment_failovers_open ON deployment_failovers (state) WHERE state IN ('pending', 'moving', 'moved');
