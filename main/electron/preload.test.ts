import { readFileSync } from 'node:fs';
import { createContext, Script } from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Runs preload.cts the way Electron runs a sandboxed preload: compiled to CommonJS, wrapped in
 * a function that gets a reduced `require`, with the page's window as the global.
 */
function runPreload(readyState = 'loading') {
  const source = readFileSync(new URL('./preload.cts', import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const required: string[] = [];
  const sent: unknown[][] = [];
  const exposed: string[] = [];
  const posted: unknown[][] = [];
  const onLoad: (() => void)[] = [];
  const portListeners: ((event: { ports: unknown[] }) => void)[] = [];
  const electron = {
    ipcRenderer: {
      send: (...args: unknown[]) => sent.push(args),
      on: (channel: string, listener: (event: { ports: unknown[] }) => void) => {
        if (channel === 'shopfloor:port') portListeners.push(listener);
      },
    },
    contextBridge: { exposeInMainWorld: (name: string) => exposed.push(name) },
  };
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found: ${name}`);
  };
  const window = createContext({
    document: { readyState },
    addEventListener: (type: string, listener: () => void) => {
      if (type === 'load') onLoad.push(listener);
    },
    postMessage: (...args: unknown[]) => posted.push(args),
  });
  const wrapped = new Script(
    `(function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {\n${outputText}\n})`,
  );
  const run = wrapped.runInContext(window) as (...args: unknown[]) => void;
  const module = { exports: {} };
  run(sandboxRequire, {}, Buffer, window, setImmediate, clearImmediate, module.exports, module);
  return {
    required,
    sent,
    exposed,
    posted,
    load: () => onLoad.forEach((l) => l()),
    deliverPort: (port: unknown) => portListeners.forEach((l) => l({ ports: [port] })),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('preload', () => {
  it('asks main for the API port at once and exposes nothing to the page', () => {
    const preload = runPreload();
    expect(preload.sent).toEqual([['shopfloor:hello']]);
    expect(preload.required).toEqual(['electron']);
    expect(preload.exposed).toEqual([]);
  });

  it('hands the port to the page only once the page has loaded', async () => {
    const preload = runPreload();
    const port = { name: 'port2' };
    preload.deliverPort(port);
    await settle();
    expect(preload.posted).toEqual([]);
    preload.load();
    await settle();
    expect(preload.posted).toEqual([['shopfloor:port', '*', [port]]]);
  });

  it('hands a later port (after a reconnect) straight to a loaded page', async () => {
    const preload = runPreload('complete');
    const port = { name: 'port2' };
    preload.deliverPort(port);
    await settle();
    expect(preload.posted).toEqual([['shopfloor:port', '*', [port]]]);
  });
});
