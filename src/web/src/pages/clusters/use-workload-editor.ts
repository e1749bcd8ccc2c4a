import { useState } from 'react';
import type { KubernetesWorkloadSettings } from '../../api/types';
import { workloadFormOf, workloadIssues, workloadsChanged, workloadsFromForm, type WorkloadForm } from './workload-form';

/**
 * The workload settings being edited in a cluster form (register or edit): the form, whether it
 * differs from what is stored, the settings to send, and the props of `<WorkloadFields>` with the
 * server's issues and the advanced JSON's own error (cleared when that field changes).
 */
export function useWorkloadEditor(stored: KubernetesWorkloadSettings | null | undefined) {
  const [form, setForm] = useState(() => workloadFormOf(stored));
  const [advancedError, setAdvancedError] = useState<string | null>(null);
  return {
    changed: workloadsChanged(form, stored),
    /** The settings the API takes, or null when the advanced JSON does not parse (its field says why). */
    settings(): KubernetesWorkloadSettings | null {
      const parsed = workloadsFromForm(form, stored);
      setAdvancedError('error' in parsed ? parsed.error : null);
      return 'error' in parsed ? null : parsed.settings;
    },
    fieldProps: (error: unknown) => ({
      form,
      onChange: (change: Partial<WorkloadForm>) => {
        setForm((current) => ({ ...current, ...change }));
        if (change.advanced !== undefined) setAdvancedError(null);
      },
      errors: { ...workloadIssues(error), ...(advancedError ? { advanced: advancedError } : {}) },
    }),
  };
}
