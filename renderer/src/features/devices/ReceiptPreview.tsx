import { useEffect, useState } from 'react';
import { describeError } from '../../i18n/describe-error.js';
import { useServices, useT } from '../../app/services.js';
import type { ApiError } from '../../api/contract.js';
import { watchReceiptJob } from './devices-receipt-job.js';
import type { ReceiptPreviewData } from './devices-types.js';
import { svgDataUrl } from './svg-data-url.js';
import './receipt-preview.css';

type Props = (
  | {
      /** The print job whose receipt to show (a sale's receipt job, a test page, a copy). */
      jobId: string;
      receiptNo?: undefined;
    }
  | {
      /**
       * A receipt by its number (what checkout knows after a sale): shown as soon as its print
       * job exists — the original, never a copy.
       */
      receiptNo: string;
      jobId?: undefined;
    }
) & {
  /** Shown under the receipt, e.g. "printing…" from the checkout. */
  caption?: string;
};

type Loaded = { jobId: string; url: string; paperMm: 58 | 80 } | { jobId: string; error: ApiError };

/**
 * A receipt as main renders it (the same template the printer gets), shown as an image on
 * paper. The SVG goes in an <img> as a data: URL — never as markup in the page. Give it the
 * print job's id, or the receipt number (checkout after a sale).
 */
export function ReceiptPreview(props: Props) {
  const found = useJobIdOf(props.receiptNo);
  const jobId = props.jobId ?? found;
  if (!jobId) return <Waiting receiptNo={props.receiptNo ?? ''} />;
  return <JobReceipt jobId={jobId} caption={props.caption} />;
}

function Waiting({ receiptNo }: { receiptNo: string }) {
  const t = useT();
  return (
    <figure className="dv-receipt" data-testid="receipt-preview" data-receipt-no={receiptNo} data-state="waiting">
      <div className="dv-receipt-placeholder">
        <span className="spinner" aria-hidden="true" />
        {t('devices.preview.loading')}
      </div>
    </figure>
  );
}

/** The id of the original print job of a receipt number (see watchReceiptJob). */
function useJobIdOf(receiptNo: string | undefined): string | undefined {
  const { api } = useServices();
  const [found, setFound] = useState<{ receiptNo: string; jobId: string } | undefined>(undefined);
  useEffect(() => {
    if (receiptNo === undefined) return;
    return watchReceiptJob(api, receiptNo, (jobId) => setFound({ receiptNo, jobId }));
  }, [api, receiptNo]);
  return found && found.receiptNo === receiptNo ? found.jobId : undefined;
}

function JobReceipt({ jobId, caption }: { jobId: string; caption: string | undefined }) {
  const t = useT();
  const { api } = useServices();
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    void api.call('devices', 'receiptPreview', { jobId }).then((result) => {
      if (!current) return;
      setLoaded(result.ok ? { jobId, ...toImage(result.value) } : { jobId, error: result.error });
    });
    return () => {
      current = false;
    };
  }, [api, jobId, attempt]);

  // An answer for another job (the prop changed) is not this receipt.
  const shown = loaded?.jobId === jobId ? loaded : undefined;
  return (
    <figure
      className="dv-receipt"
      data-testid="receipt-preview"
      data-job-id={jobId}
      data-state={!shown ? 'loading' : 'error' in shown ? 'error' : 'ready'}
    >
      {!shown && (
        <div className="dv-receipt-placeholder">
          <span className="spinner" aria-hidden="true" />
          {t('devices.preview.loading')}
        </div>
      )}
      {shown && 'error' in shown && (
        <div className="dv-receipt-placeholder dv-receipt-error" role="alert">
          <p>{t('devices.preview.failed', { reason: describeError(t, shown.error) })}</p>
          <button type="button" className="button-ghost" onClick={() => setAttempt((n) => n + 1)}>
            {t('devices.preview.retry')}
          </button>
        </div>
      )}
      {shown && 'url' in shown && (
        <div className={`dv-paper paper-${shown.paperMm}`}>
          <img src={shown.url} alt={t('devices.preview.alt')} data-testid="receipt-image" draggable={false} />
        </div>
      )}
      {caption && <figcaption>{caption}</figcaption>}
    </figure>
  );
}

function toImage(preview: ReceiptPreviewData): { url: string; paperMm: 58 | 80 } {
  return { url: svgDataUrl(preview.svg), paperMm: preview.paperMm };
}
