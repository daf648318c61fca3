import type { Api } from '../../api/api-client.js';
import type { PrintJobView } from './devices-types.js';

/** How far back the queue is searched for a receipt's job (a sale's receipt is among the newest). */
const SEARCH_LIMIT = 50;

/**
 * Finds the original print job (never a copy) of a receipt number and reports its id once:
 * from the queue if it is already there, or from `devices.job` when it is created — checkout
 * may show the preview before or after the job is queued. Returns the unsubscribe.
 */
export function watchReceiptJob(api: Api, receiptNo: string, onFound: (jobId: string) => void): () => void {
  let done = false;
  const take = (job: PrintJobView) => {
    if (done || job.receiptNo !== receiptNo || job.copy) return;
    done = true;
    off();
    onFound(job.id);
  };
  // Subscribed before asking, so a job created in between is not missed.
  const off = api.on('devices.job', take);
  void api.call('devices', 'jobs', { limit: SEARCH_LIMIT }).then((result) => {
    if (!result.ok) return;
    // Newest first: the last original is the receipt's first print.
    const originals = result.value.filter((job) => job.receiptNo === receiptNo && !job.copy);
    const first = originals.at(-1);
    if (first) take(first);
  });
  return () => {
    done = true;
    off();
  };
}
