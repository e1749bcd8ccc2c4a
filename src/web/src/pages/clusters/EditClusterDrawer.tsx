import { useState } from 'react';
import { useSaveCluster } from '../../api/cluster-hooks';
import type { Cluster, ClusterType, UpdateClusterRequest } from '../../api/types';
import { Drawer, DrawerForm } from '../../components/Drawer';
import { SelectField, TextField } from '../../components/Field';
import { LabelsEditor } from '../../components/LabelsEditor';
import { changedFields } from '../../lib/changes';
import { keyedIssues, splitFormError } from '../../lib/form-errors';
import { labelRowErrors, labelsFromRows, rowsFromLabels } from '../../lib/labels';
import { CLUSTER_TYPE_OPTIONS } from './cluster-format';
import { SchedulerFields } from './SchedulerFields';

export function EditClusterDrawer({ cluster, open, onClose, onSaved }: { cluster: Cluster; open: boolean; onClose: () => void; onSaved: (cluster: Cluster) => void }) {
  return (
    <Drawer open={open} title={`Edit ${cluster.name}`} description="The connection stays as it is; labels are kept when the scheduler changes." onClose={onClose}>
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

  const errors = splitFormError(save.error, ['displayName'] as const, {}, (path) => path.startsWith('labels.'));
  const rowErrors = labelRowErrors(labels, keyedIssues(save.error, '/labels/'));
  const patch: UpdateClusterRequest = changedFields(
    { displayName: displayName.trim(), type, scheduler, imagePrecache, labels: labelsFromRows(labels) },
    cluster,
  );
  const changed = Object.keys(patch).length > 0;

  return (
    <DrawerForm
      onSubmit={() => {
        if (changed && Object.keys(labelRowErrors(labels)).length === 0) save.mutate({ id: cluster.name, patch }, { onSuccess: onSaved });
      }}
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
    </DrawerForm>
  );
}
