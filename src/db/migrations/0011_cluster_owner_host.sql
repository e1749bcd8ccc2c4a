-- The host whose H-MAS instance runs a local cluster's replicas: the id kept in that instance's
-- data directory (`<dataDir>/host-id`) and its hostname, shown to people. Set when the local
-- cluster is registered; a local cluster registered before this column existed is claimed by the
-- first instance that starts with it (a conditional UPDATE, so only one wins). NULL for other
-- kinds of cluster.
ALTER TABLE clusters ADD COLUMN owner_host_id text;
ALTER TABLE clusters ADD COLUMN owner_hostname text;
