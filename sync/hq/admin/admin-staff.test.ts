import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { demoPin } from '../../../fixtures/checkout-sample.js';
import type { SessionState } from '../../../main/api/contract.js';
import { CASHIER, deviceReplicator, emptyDevice, enrolThrough, settled, syncUntil } from '../../faults/fault-device.js';
import type { FaultDevice } from '../../faults/fault-device.js';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import type { TestHq } from '../testing/test-hq.js';
import { useTestHq } from '../testing/use-test-hq.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('staff changed at HQ reach the device on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  useTestHq(backend, (opened) => ({ db, hq } = opened));
  const devices: FaultDevice[] = [];
  afterEach(() => {
    for (const d of devices.splice(0)) d.cleanup();
  });

  /** A real device enrolled at HQ and synced: HQ's staff and PINs are on it. */
  async function syncedDevice() {
    const device = emptyDevice();
    devices.push(device);
    await enrolThrough(device, hq.url, await hq.enrolment());
    const replicator = deviceReplicator(device, hq.url);
    const sync = () => syncUntil(replicator, settled, 20, 'synced with HQ');
    await sync();
    return { device, sync };
  }

  /** The cashier's record as the admin API takes it, with `change` applied. */
  async function saveCashier(change: { pin: string; active?: boolean }) {
    const [staff] = await db.query<{ id: string; store_id: string; name: string; role: string }>(
      'SELECT id, store_id, name, role FROM staff WHERE code = $1',
      [CASHIER],
    );
    const answer = await hq.admin('POST', '/admin/v1/staff', {
      id: staff!.id,
      storeId: staff!.store_id,
      code: CASHIER,
      name: staff!.name,
      role: staff!.role,
      ...change,
    });
    expect(answer.status).toBe(200);
  }
  const login = (device: FaultDevice, pin: string) => device.pos.fail('staff', 'login', { code: CASHIER, pin });

  it('a new PIN: after a sync the device refuses the old one and takes the new one', async () => {
    const { device, sync } = await syncedDevice();
    const old = demoPin(CASHIER);
    expect((await device.pos.call<SessionState>('staff', 'login', { code: CASHIER, pin: old })).state).toBe('active');
    await device.pos.call('staff', 'logout');

    await saveCashier({ pin: '86420' });
    // Not synced yet: the device still knows only the old PIN (it works offline).
    expect((await login(device, '86420')).code).toBe('WRONG_PIN');
    await sync();
    expect((await login(device, old)).code).toBe('WRONG_PIN');
    expect((await device.pos.call<SessionState>('staff', 'login', { code: CASHIER, pin: '86420' })).state).toBe('active');
    await device.pos.call('staff', 'logout');
    await saveCashier({ pin: old }); // as it was, for the next test
  });

  it('a deactivated staff: after a sync the device ends their session and refuses their login', async () => {
    const { device, sync } = await syncedDevice();
    const pin = demoPin(CASHIER);
    expect((await device.pos.call<SessionState>('staff', 'login', { code: CASHIER, pin })).state).toBe('active');

    await saveCashier({ pin, active: false });
    await sync();
    expect((await device.pos.fail('checkout', 'cart')).code).toBe('NOT_LOGGED_IN');
    expect((await login(device, pin)).code).toBe('WRONG_PIN');
    // Their record saved again (a name or a PIN corrected) without saying `active`: still deactivated.
    await saveCashier({ pin });
    await sync();
    expect((await login(device, pin)).code).toBe('WRONG_PIN');
    expect(await db.query('SELECT active FROM staff WHERE code = $1', [CASHIER])).toEqual([{ active: false }]);
    // Only saying so brings them back.
    await saveCashier({ pin, active: true });
    await sync();
    expect((await device.pos.call<SessionState>('staff', 'login', { code: CASHIER, pin })).state).toBe('active');
  });
});
