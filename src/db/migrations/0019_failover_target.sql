-- A move made recoverable (see 0018 for the states):
--   target_cluster_id  the cluster a move chose, written BEFORE the workload is applied there. A
--                      move retaken after its instance died (or lost leadership) mid-move finds
--                      it: still ready → the move adopts what was applied there and just switches
--                      the deployment; otherwise what was applied there is removed first.
--   claimed_by         who holds the move while it is `moving`: an instance and its leadership
--                      term ("<instance>@<leader since>"). Only the leader moves deployments, so a
--                      `moving` row claimed by another term belongs to an instance that is no
--                      longer leader (or no longer alive): the current leader retakes it at once.
--                      A late write of the old holder is refused (every write checks claimed_by).
-- A copy such a move left on a target that could not be reached is recorded as a `moved` row from
-- that cluster with no to_cluster_id: removed when that cluster answers again, like an old copy.
ALTER TABLE deployment_failovers ADD COLUMN target_cluster_id uuid;
ALTER TABLE deployment_failovers ADD COLUMN claimed_by text;
