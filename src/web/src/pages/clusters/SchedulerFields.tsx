import { useId } from 'react';
import type { ClusterScheduler } from '../../api/types';
import { CheckboxField } from '../../components/Field';

const SCHEDULERS: ReadonlyArray<{ value: ClusterScheduler; label: string; description: string }> = [
  { value: 'default', label: 'Kubernetes default scheduler', description: 'Works on every cluster; workloads get no scheduler name.' },
  {
    value: 'koordinator',
    label: 'Koordinator',
    description: 'For clusters running Koordinator: workloads get schedulerName koord-scheduler and its annotations (QoS, GPU sharing).',
  },
];

/** The scheduler workloads on this cluster ask for, and whether runtime images are pre-pulled. */
export function SchedulerFields({
  scheduler,
  onScheduler,
  imagePrecache,
  onImagePrecache,
}: {
  scheduler: ClusterScheduler;
  onScheduler: (scheduler: ClusterScheduler) => void;
  imagePrecache: boolean;
  onImagePrecache: (value: boolean) => void;
}) {
  const name = useId();
  return (
    <>
      <fieldset className="choice-group">
        <legend className="field-label">Scheduler</legend>
        {SCHEDULERS.map((option) => (
          <label key={option.value} className={scheduler === option.value ? 'choice choice-selected' : 'choice'}>
            <input type="radio" name={name} value={option.value} checked={scheduler === option.value} onChange={() => onScheduler(option.value)} />
            <span>
              <span className="choice-label">{option.label}</span>
              <span className="field-hint">{option.description}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <CheckboxField
        label="Pre-cache runtime images"
        hint="A small DaemonSet pulls the serving runtimes’ images on every GPU node ahead of time, so deployments start faster."
        checked={imagePrecache}
        onChange={onImagePrecache}
      />
    </>
  );
}
