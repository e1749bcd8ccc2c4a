-- Per-user rate limit overrides for the inference gateway: NULL = the server default
-- (HMAS_RATE_LIMIT_RPM / HMAS_RATE_LIMIT_TPM), 0 = unlimited.
ALTER TABLE users ADD COLUMN rate_limit_rpm integer CHECK (rate_limit_rpm >= 0);
ALTER TABLE users ADD COLUMN rate_limit_tpm integer CHECK (rate_limit_tpm >= 0);
