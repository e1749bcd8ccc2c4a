-- Optimization presets: named tier 1 / tier 2 / raw settings for one runtime. Built-in presets
-- live in code (src/services/optimization-presets/builtin-presets.ts), never in this table; the
-- application validates the settings against the runtime before they are stored.
CREATE TABLE optimization_presets (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  runtime text NOT NULL,
  description text NOT NULL DEFAULT '',
  tier1 jsonb NOT NULL DEFAULT '{}'::jsonb,
  tier2 jsonb NOT NULL DEFAULT '{}'::jsonb,
  raw jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT optimization_presets_tiers_are_objects
    CHECK (jsonb_typeof(tier1) = 'object' AND jsonb_typeof(tier2) = 'object' AND jsonb_typeof(raw) = 'object')
);
-- Names are unique per runtime (built-in names are reserved by the application).
CREATE UNIQUE INDEX optimization_presets_runtime_name_key ON optimization_presets (runtime, name);
