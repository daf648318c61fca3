import { useEffect, useState } from 'react';
import { useApp, useStoreTimeZone, useT } from '../../app/services.js';
import type { StaffView } from '../session/session-types.js';

/**
 * The logged-in staff member's name, code and the time, tiled faintly over every customer screen:
 * a photo of the screen says who showed it and when. It lets every touch through.
 */
export function Watermark({ staff }: { staff: StaffView }) {
  const t = useT();
  const language = useApp((s) => s.language);
  const timeZone = useStoreTimeZone();
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const time = new Intl.DateTimeFormat(language, {
    timeZone,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(now);
  const text = t('customers.watermark', { name: staff.name, code: staff.code, time });
  return (
    <div className="cb-watermark" aria-hidden="true" data-testid="customers-watermark" data-text={text}>
      {Array.from({ length: 32 }, (_, i) => (
        <span key={i}>{text}</span>
      ))}
    </div>
  );
}
