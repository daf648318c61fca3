import './choice.css';

type Option<V extends string | number> = { value: V; label: string };

type Props<V extends string | number> = {
  options: readonly Option<V>[];
  value: V;
  onChange: (value: V) => void;
  /** For tests: data-testid="<name>-<value>" on each option. */
  name: string;
  label: string;
  id?: string;
};

/** A segmented choice: every option visible and one tap away (no dropdown on a touchscreen). */
export function Choice<V extends string | number>({ options, value, onChange, name, label, id }: Props<V>) {
  return (
    <div className="dv-choice" role="radiogroup" aria-label={label} id={id}>
      {options.map((option) => (
        <button
          key={String(option.value)}
          type="button"
          role="radio"
          aria-checked={option.value === value}
          className={option.value === value ? 'dv-choice-option is-on' : 'dv-choice-option'}
          data-testid={`${name}-${option.value}`}
          onClick={() => onChange(option.value)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
