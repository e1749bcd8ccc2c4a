import { useState } from 'react';
import { useSaveCluster } from '../../api/cluster-hooks';
import type { Cluster, ClusterType, UpdateClusterRequest } from '../../api/types';
import { Drawer, DrawerForm } from '../../components/Drawer';
import { SelectField, TextField } from '../../components/Field';
import { LabelsEditor } from '../../components/LabelsEditor';
import { changedFields } from '../../lib/changes';
import { keyedIssues, splitFormError } from '../../lib/form-errors';
import { labelRowErrors, labelsFromRows, rowsFromLabels } from '../../lib/labels';
import { useIsAdmin } from '../../auth/current-user';
import { CLUSTER_TYPE_OPTIONS } from './cluster-format';
import { SchedulerFields } from './SchedulerFields';
import { WorkloadFields } from './WorkloadFields';
import { useWorkloadEditor } from './use-workload-editor';
import { isWorkloadIssue } from './workload-form';

export function EditClusterDrawer({ cluster, open, onClose, onSaved }: { cluster: Cluster; open: boolean; onClose: () => void; onSaved: (cluster: Cluster) => void }) {
  return (
    <Drawer open={open} title={`Edit ${cluster.name}`} description="The kubeconfig stays as it is; labels are kept when the scheduler changes." onClose={onClose}>
      <EditClusterForm cluster={cluster} onClose={onClose} onSaved={onSaved} />
    </Drawer>
  );
}

function EditClusterForm({ cluster, onClose, onSaved }: { cluster: Cluster; onClose: () => void; onSaved: (cluster: Cluster) => void }) {
  const save = useSaveCluster();
  const [displayName, setDisplayName] = useState(cluster.displayName);
  const [type, setType] = useState<ClusterType>(cluster.type);
  const [scheduler, setScheduler] = useState(cluster.scheduler);
  const [imagePrecache, setImagePrecache] = useState(cluster.imagePrecache);
  const [labels, setLabels] = useState(() => rowsFromLabels(cluster.labels));
  // Only admins change a connection; the workload settings are part of a kubeconfig connection.
  const editsWorkloads = useIsAdmin() && cluster.connection.kind === 'kubeconfig';
  const workloads = useWorkloadEditor(cluster.connection.workloads);

  const errors = splitFormError(save.error, ['displayName'] as const, {}, (path) => path.startsWith('labels.') || isWorkloadIssue(path));
  const rowErrors = labelRowErrors(labels, keyedIssues(save.error, '/labels/'));
  const patch: UpdateClusterRequest = changedFields(
    { displayName: displayName.trim(), type, scheduler, imagePrecache, labels: labelsFromRows(labels) },
    cluster,
  );
  const workloadsDirty = editsWorkloads && workloads.changed;
  const changed = Object.keys(patch).length > 0 || workloadsDirty;

  const submit = () => {
    if (!changed || Object.keys(labelRowErrors(labels)).length > 0) return;
    let body = patch;
    if (workloadsDirty) {
      const settings = workloads.settings();
      if (!settings) return;
      body = { ...patch, connection: { kind: 'kubeconfig', workloads: settings } };
    }
    save.mutate({ id: cluster.name, patch: body }, { onSuccess: onSaved });
  };

  return (
    <DrawerForm
      onSubmit={submit}
      error={errors.banner}
      submitLabel="Save changes"
      pending={save.isPending}
      disabled={!changed}
      onCancel={onClose}
    >
      <TextField label="Display name" error={errors.fields.displayName} value={displayName} onChange={setDisplayName} />
      <SelectField
        label="Type"
        value={type}
        options={CLUSTER_TYPE_OPTIONS}
        onChange={setType}
      />
      <SchedulerFields scheduler={scheduler} onScheduler={setScheduler} imagePrecache={imagePrecache} onImagePrecache={setImagePrecache} />
      <LabelsEditor legend="Labels" hint="Replaces all labels of the cluster." rows={labels} onChange={setLabels} errors={rowErrors} />
      {editsWorkloads && (
        <WorkloadFields {...workloads.fieldProps(save.error)} />
      )}
    </DrawerForm>
  );
}
