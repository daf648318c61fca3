import { useState } from 'react';
import { useDevices } from './devices-hooks.js';
import { useApp, useServices, useT, useStoreTimeZone } from '../../app/services.js';
import type { PrintJobView } from './devices-types.js';
import { dynamicText } from '../../i18n/dynamic-text.js';
import { formatStoreTime } from '../../ui/format/event-time.js';
import { ReceiptPreview } from './ReceiptPreview.js';
import './print-queue.css';

/** The persistent print queue: what printed, what waits and why, and the buttons to act on it. */
export function PrintQueue() {
  const t = useT();
  const jobs = useDevices((s) => s.jobs);
  const [previewId, setPreviewId] = useState<string | undefined>(undefined);

  return (
    <section className="dv-card dv-queue" aria-labelledby="dv-queue-title" data-testid="print-queue">
      <header className="dv-card-head">
        <h2 id="dv-queue-title">{t('devices.queue.title')}</h2>
      </header>
      {jobs.length === 0 ? (
        <p className="dv-empty">{t('devices.queue.empty')}</p>
      ) : (
        <ol className="dv-jobs">
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} onPreview={() => setPreviewId(job.id)} />
          ))}
        </ol>
      )}
      {previewId && (
        <div
          className="dv-preview-overlay"
          role="dialog"
          aria-modal="true"
          aria-label={t('devices.preview.title')}
          data-testid="preview-dialog"
        >
          <div className="dv-preview-panel">
            <header className="dv-card-head">
              <h2>{t('devices.preview.title')}</h2>
              <button type="button" className="button-ghost" data-testid="preview-close" onClick={() => setPreviewId(undefined)}>
                {t('devices.close')}
              </button>
            </header>
            <ReceiptPreview jobId={previewId} />
          </div>
        </div>
      )}
    </section>
  );
}

function JobRow({ job, onPreview }: { job: PrintJobView; onPreview: () => void }) {
  const t = useT();
  const { devices } = useServices();
  const language = useApp((s) => s.language);
  const timezone = useStoreTimeZone();
  const busy = useDevices((s) => s.busy[`job:${job.id}`] === true);
  const actions = devices.getState();
  const canRetry = job.state === 'held' || job.state === 'failed';
  const canCancel = job.state === 'held' || job.state === 'failed' || job.state === 'queued';
  const reason =
    job.state === 'held' && job.heldReason ? dynamicText(t, `devices.hold.${job.heldReason}`, 'devices.hold.unknown') : undefined;

  return (
    <li className={`dv-job state-${job.state}`} data-testid="print-job" data-job-id={job.id} data-state={job.state} data-copy={job.copy}>
      <div className="dv-job-main">
        <p className="dv-job-title">
          {dynamicText(t, `devices.kind.${job.kind}`, 'devices.kind.other')}
          {job.receiptNo && <span className="code">{job.receiptNo}</span>}
          {job.copy && (
            <span className="dv-tag dv-tag-copy" data-testid="job-copy">
              {t('devices.queue.copy')}
            </span>
          )}
        </p>
        <p className="dv-job-meta">
          <span className={`dv-state-badge state-${job.state}`} data-testid="job-state">
            {dynamicText(t, `devices.job.${job.state}`, 'devices.job.unknown')}
          </span>
          <span>{formatStoreTime(job.createdAt, timezone, language)}</span>
          {job.attempts > 1 && <span>{t('devices.queue.attempts', { count: job.attempts })}</span>}
          {reason && <span className="dv-job-reason">{reason}</span>}
          {job.state === 'failed' && job.error && (
            <span className="dv-job-reason" title={job.error}>
              {job.error}
            </span>
          )}
        </p>
      </div>
      <div className="dv-job-actions">
        <button type="button" className="button-ghost" onClick={onPreview} data-testid="job-preview">
          {t('devices.queue.preview')}
        </button>
        {canRetry && (
          <button
            type="button"
            className="button-ghost dv-strong"
            disabled={busy}
            onClick={() => void actions.retryJob(job.id)}
            data-testid="job-retry"
          >
            {t('devices.queue.retry')}
          </button>
        )}
        {canCancel && (
          <button
            type="button"
            className="button-ghost"
            disabled={busy}
            onClick={() => void actions.cancelJob(job.id)}
            data-testid="job-cancel"
          >
            {t('devices.queue.cancel')}
          </button>
        )}
        {job.state === 'done' && (
          <button
            type="button"
            className="button-ghost"
            disabled={busy}
            onClick={() => void actions.reprint(job.id)}
            data-testid="job-reprint"
          >
            {t('devices.queue.reprint')}
          </button>
        )}
      </div>
    </li>
  );
}
