import { useEffect } from 'react';
import { useServices, useT } from '../../app/services.js';
import { useLookup } from './lookup-hooks.js';
import './scan-flash.css';

const FLASH_MS = 2500;

/** A short confirmation that the scanner was heard, whatever the lookup then finds. */
export function ScanFlash() {
  const t = useT();
  const { lookup } = useServices();
  const flash = useLookup((s) => s.flash);

  useEffect(() => {
    if (!flash) return;
    const timer = setTimeout(() => lookup.getState().clearFlash(flash.id), FLASH_MS);
    return () => clearTimeout(timer);
  }, [flash, lookup]);

  if (!flash) return null;
  return (
    <div key={flash.id} className="scan-flash" data-testid="scan-flash" role="status">
      {t('lookup.scan.ok', { code: flash.code })}
    </div>
  );
}
