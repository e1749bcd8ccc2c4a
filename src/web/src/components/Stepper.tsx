/** Where a multi-step form is: done steps, the current one (aria-current="step"), the rest. */
export function Stepper({ steps, current, label }: { steps: readonly string[]; current: number; label: string }) {
  return (
    <ol className="stepper" aria-label={label}>
      {steps.map((step, index) => (
        <li
          key={step}
          className={index < current ? 'stepper-step stepper-done' : index === current ? 'stepper-step stepper-current' : 'stepper-step'}
          aria-current={index === current ? 'step' : undefined}
        >
          <span className="stepper-number" aria-hidden="true">
            {index < current ? '✓' : index + 1}
          </span>
          <span className="stepper-label">
            {step}
            {index < current && <span className="visually-hidden"> (done)</span>}
          </span>
        </li>
      ))}
    </ol>
  );
}
