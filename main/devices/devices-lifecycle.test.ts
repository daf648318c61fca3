import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { DevicesService } from './devices-service.js';
import { openTestContext } from '../testing/devices-kit.js';

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

it('releases a virtual printer that finished starting after the terminal closed, so the process can exit', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const t = openTestContext(dir.path);
  let release!: () => void;
  const started = new Promise<void>((resolve) => (release = resolve));
  let closedPrinters = 0;
  const devices = new DevicesService(t.ctx, {
    statusPollMs: 0,
    // Starts only when the test says so: the terminal closes first.
    virtualPrinter: async () => {
      await started;
      return { port: 9, outDir: null, close: async () => void (closedPrinters += 1) };
    },
  });
  const starting = devices.start();
  await devices.close();
  t.close();
  release();
  await expect(starting).resolves.toBeUndefined();
  expect(closedPrinters).toBe(1);
  expect(t.logs.filter((l) => l.includes('not open'))).toEqual([]);
});
