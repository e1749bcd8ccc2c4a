-- A server-made id per request log entry, so an entry written twice (replayed from the request
-- log's spool after a crash, or after an insert whose answer was lost) is stored once:
-- INSERT … ON CONFLICT (entry_id) DO NOTHING. request_id cannot serve: a caller may send its own
-- X-Request-Id, and reusing one must not hide a request from the log. Rows from before have NULL
-- (a unique index allows any number of NULLs).
ALTER TABLE inference_logs ADD COLUMN entry_id uuid;
CREATE UNIQUE INDEX inference_logs_entry_id_idx ON inference_logs (entry_id);
