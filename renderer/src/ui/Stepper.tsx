import { useT } from '../app/services.js';
import './stepper.css';

type Props = { value: number; min: number; max: number; onChange: (value: number) => void; disabled?: boolean; testId: string };

/** − qty + with thumb-sized buttons. */
export function Stepper({ value, min, max, onChange, disabled = false, testId }: Props) {
  const t = useT();
  return (
    <div className="co-stepper" data-testid={testId}>
      <button
        type="button"
        className="co-step"
        aria-label={t('ui.stepper.less')}
        disabled={disabled || value <= min}
        onClick={() => onChange(value - 1)}
        data-testid={`${testId}-minus`}
      >
        −
      </button>
      <span className="co-step-value" data-testid={`${testId}-value`}>
        {value}
      </span>
      <button
        type="button"
        className="co-step"
        aria-label={t('ui.stepper.more')}
        disabled={disabled || value >= max}
        onClick={() => onChange(value + 1)}
        data-testid={`${testId}-plus`}
      >
        +
      </button>
    </div>
  );
}
