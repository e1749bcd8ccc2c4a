-- What each cluster's image warmer last found and did, written by the warmer loop (one instance)
-- and read by every instance for the cluster page. `namespace` is where its DaemonSet is (NULL
-- when there is none), so a change of the cluster's namespace removes the old one.
CREATE TABLE image_warmer_states (
  cluster_id uuid PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
  phase text NOT NULL CHECK (phase IN ('off', 'idle', 'warming', 'ready', 'noNodes', 'error')),
  namespace text,
  images jsonb NOT NULL DEFAULT '[]',
  desired_nodes integer NOT NULL DEFAULT 0,
  ready_nodes integer NOT NULL DEFAULT 0,
  updated_nodes integer NOT NULL DEFAULT 0,
  last_error text,
  last_sync_at timestamptz NOT NULL,
  last_change_at timestamptz
);
