-- Resource profiles, placement strategies and failover policies: one table, one row per policy,
-- the kind-specific settings in `spec` (validated by the application).
CREATE TABLE policies (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('resource_profile', 'placement_strategy', 'failover_policy')),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  spec jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX policies_kind_name_key ON policies (kind, name);
-- "Which placement strategies use this failover policy?" without a scan.
CREATE INDEX policies_failover_ref_idx ON policies ((spec->>'failoverPolicyId')) WHERE kind = 'placement_strategy';
