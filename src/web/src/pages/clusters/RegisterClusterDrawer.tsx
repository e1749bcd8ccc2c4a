import { useState } from 'react';
import { useRegisterCluster, useTestConnection } from '../../api/cluster-hooks';
import type { Cluster, ClusterScheduler, ClusterWithToken } from '../../api/types';
import { Drawer, DrawerForm } from '../../components/Drawer';
import { LabelsEditor } from '../../components/LabelsEditor';
import { Stepper } from '../../components/Stepper';
import { keyedIssues, splitFormError } from '../../lib/form-errors';
import type { LabelRow } from '../../lib/labels';
import { labelRowErrors, labelsFromRows } from '../../lib/labels';
import { AgentTokenPanel } from './AgentTokenPanel';
import { ConnectionStep } from './ConnectionStep';
import type { ConnectionField, ConnectionForm } from './connection-form';
import { checkConnectionForm, CONNECTION_FIELDS, connectionFromForm, EMPTY_CONNECTION_FORM } from './connection-form';
import { SchedulerFields } from './SchedulerFields';
import { testAllowsNext, TestStep } from './TestStep';
import { WorkloadFields } from './WorkloadFields';
import { useWorkloadEditor } from './use-workload-editor';
import { isWorkloadIssue, workloadIssues } from './workload-form';

const STEPS = ['Connection', 'Test', 'Scheduler', 'Labels'] as const;

/** A failed register: field messages for step 1 (label issues are shown under their rows). */
const registerErrors = (error: unknown) =>
  splitFormError(error, CONNECTION_FIELDS, { CLUSTER_EXISTS: 'name', LOCAL_CONNECTION_FIXED: 'name' }, (path) => path.startsWith('labels.') || isWorkloadIssue(path));

export function RegisterClusterDrawer({ open, onClose, onRegistered }: { open: boolean; onClose: () => void; onRegistered: (cluster: Cluster) => void }) {
  return (
    <Drawer open={open} title="Register cluster" description="Connect a GPU cluster in four steps: connection, test, scheduler, labels." onClose={onClose}>
      <RegisterClusterFlow onClose={onClose} onRegistered={onRegistered} />
    </Drawer>
  );
}

function RegisterClusterFlow({ onClose, onRegistered }: { onClose: () => void; onRegistered: (cluster: Cluster) => void }) {
  const [step, setStep] = useState(0);
  const [form, setForm] = useState<ConnectionForm>(EMPTY_CONNECTION_FORM);
  const [checked, setChecked] = useState<Partial<Record<ConnectionField, string>>>({});
  const [registerAnyway, setRegisterAnyway] = useState(false);
  const [scheduler, setScheduler] = useState<ClusterScheduler>('default');
  const [imagePrecache, setImagePrecache] = useState(true);
  const [labels, setLabels] = useState<LabelRow[]>([]);
  const workloads = useWorkloadEditor(null);
  const [agentCluster, setAgentCluster] = useState<ClusterWithToken | null>(null);
  const test = useTestConnection();
  const register = useRegisterCluster();

  const labelIssues = keyedIssues(register.error, '/labels/');
  const rowErrors = labelRowErrors(labels, labelIssues);
  const serverErrors = registerErrors(register.error);
  const fieldErrors = { ...serverErrors.fields, ...checked };

  const runTest = () => {
    setRegisterAnyway(false);
    test.mutate(connectionFromForm(form));
  };

  const submit = () => {
    if (step === 0) {
      const problems = checkConnectionForm(form);
      setChecked(problems);
      if (Object.keys(problems).length > 0) return;
      register.reset();
      setStep(1);
      runTest();
    } else if (step === 1) {
      if (testAllowsNext(form.kind, { pending: test.isPending, report: test.data, error: test.error }, registerAnyway)) setStep(2);
    } else if (step === 2) {
      if (form.kind !== 'kubeconfig' || workloads.settings()) setStep(3);
    } else {
      if (Object.keys(labelRowErrors(labels)).length > 0) return;
      const connection = connectionFromForm(form);
      const settings = form.kind === 'kubeconfig' && workloads.changed ? workloads.settings() : null;
      register.mutate(
        {
          name: form.name.trim(),
          ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}),
          type: form.type,
          connection: connection.kind === 'kubeconfig' && settings ? { ...connection, workloads: settings } : connection,
          scheduler,
          imagePrecache,
          labels: labelsFromRows(labels),
        },
        {
          onSuccess: (cluster) => (cluster.agentToken ? setAgentCluster(cluster) : onRegistered(cluster)),
          // Name and connection problems are fixed on the first step.
          onError: (error) => {
            if (Object.keys(registerErrors(error).fields).length > 0) setStep(0);
            else if (Object.keys(workloadIssues(error)).length > 0) setStep(2);
          },
        },
      );
    }
  };

  if (agentCluster?.agentToken) {
    return (
      <>
        <div className="form">
          <div className="alert alert-success" role="status">
            Cluster {agentCluster.name} registered.
          </div>
          <AgentTokenPanel clusterName={agentCluster.name} token={agentCluster.agentToken} />
        </div>
        <div className="drawer-actions">
          <button type="button" className="btn btn-primary" onClick={() => onRegistered(agentCluster)}>
            Done
          </button>
        </div>
      </>
    );
  }

  const testState = { pending: test.isPending, report: test.data, error: test.error };
  const last = step === STEPS.length - 1;
  return (
    <DrawerForm
      onSubmit={submit}
      error={step === 0 || last ? serverErrors.banner : null}
      submitLabel={last ? 'Register cluster' : 'Next'}
      pendingLabel="Registering…"
      pending={register.isPending}
      disabled={step === 1 && !testAllowsNext(form.kind, testState, registerAnyway)}
      onCancel={onClose}
      actions={
        step > 0 && (
          <button type="button" className="btn btn-secondary" onClick={() => setStep(step - 1)}>
            Back
          </button>
        )
      }
    >
      <Stepper steps={STEPS} current={step} label="Registration steps" />
      <h3 className="step-title">
        Step {step + 1} of {STEPS.length}: {STEPS[step]}
      </h3>
      {step === 0 && (
        <ConnectionStep
          form={form}
          errors={fieldErrors}
          onChange={(change) => {
            setForm((current) => ({ ...current, ...change }));
            setChecked({});
            register.reset();
          }}
        />
      )}
      {step === 1 && <TestStep kind={form.kind} test={testState} onRetest={runTest} registerAnyway={registerAnyway} onRegisterAnyway={setRegisterAnyway} />}
      {step === 2 && (
        <>
          <SchedulerFields scheduler={scheduler} onScheduler={setScheduler} imagePrecache={imagePrecache} onImagePrecache={setImagePrecache} />
          {form.kind === 'kubeconfig' && (
            <WorkloadFields {...workloads.fieldProps(register.error)} />
          )}
        </>
      )}
      {step === 3 && (
        <LabelsEditor
          legend="Labels"
          hint="Placement strategies pick clusters by these, e.g. region=eu-west or gpu=h100. Optional."
          rows={labels}
          onChange={setLabels}
          errors={rowErrors}
        />
      )}
    </DrawerForm>
  );
}
