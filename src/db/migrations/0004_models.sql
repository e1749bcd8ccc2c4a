-- Model registry: where each model's weights come from and how big it is.
CREATE TABLE models (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  format text NOT NULL CHECK (format IN ('safetensors', 'gguf')),
  source text NOT NULL CHECK (source IN ('huggingface', 'local')),
  hf_repo_id text,
  revision text,
  -- One file of a GGUF repo (a repo holds one file per quantization).
  hf_file text,
  -- A GGUF file on the H-MAS host.
  local_path text,
  category text NOT NULL CHECK (category IN ('LLM', 'Vision', 'Code', 'Embedding')),
  size_b double precision CHECK (size_b > 0),
  parameter_count bigint CHECK (parameter_count > 0),
  display_size text,
  description text NOT NULL DEFAULT '',
  license text,
  dtype text,
  context_length integer CHECK (context_length > 0),
  -- Layers, attention heads, KV heads, head size, hidden size: what the resource fit needs.
  architecture jsonb,
  -- Exact bytes of the weights when known (a GGUF file's tensor data).
  weight_bytes bigint CHECK (weight_bytes > 0),
  preset_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT models_source_fields_check CHECK (
    (source = 'huggingface' AND hf_repo_id IS NOT NULL AND local_path IS NULL)
    OR (source = 'local' AND local_path IS NOT NULL AND hf_repo_id IS NULL AND revision IS NULL AND hf_file IS NULL)
  )
);
-- Names are what deployments and the gateway refer to: unique whatever their case.
CREATE UNIQUE INDEX models_name_key ON models (lower(name));
CREATE INDEX models_category_idx ON models (category, lower(name));
CREATE INDEX models_hf_repo_idx ON models (hf_repo_id) WHERE hf_repo_id IS NOT NULL;
