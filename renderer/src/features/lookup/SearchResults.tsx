import { formatFen } from '../../ui/format/money.js';
import { pickName } from '../../i18n/pick-name.js';
import { useApp, useT } from '../../app/services.js';
import type { StyleSummary } from '../../api/contract.js';
import './search-results.css';

type Props = { styles: StyleSummary[]; truncated: boolean; onOpen: (styleCode: string) => void };

export function SearchResults({ styles, truncated, onOpen }: Props) {
  const t = useT();
  const language = useApp((s) => s.language);
  return (
    <section className="results" data-testid="search-results">
      <p className="results-count">
        {t('lookup.results.count', { count: styles.length })}
        {truncated && <span className="results-truncated"> · {t('lookup.results.truncated', { count: styles.length })}</span>}
      </p>
      <ul className="results-list">
        {styles.map((style) => (
          <li key={style.styleCode}>
            <button
              type="button"
              className="result"
              data-testid="search-result"
              data-style-code={style.styleCode}
              onClick={() => onOpen(style.styleCode)}
            >
              <span className="result-name">{pickName(style.name, language)}</span>
              <span className="result-meta">
                <span className="mono">{style.styleCode}</span> · {pickName(style.category, language)}
              </span>
              <span className="result-price">{formatFen(style.priceFen)}</span>
              <span className={`result-stock${style.stock === 0 ? ' is-empty' : ''}`}>
                {t('lookup.results.stock', { count: style.stock })}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
