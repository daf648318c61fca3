#!/usr/bin/env node
// Where a process's CPU went during one bench phase.
//
//   node scripts/profile-window.mjs <file.cpuprofile> [<windows.jsonl> <phase> [<end>]] [--top N]
//
// <windows.jsonl> is what `BENCH_SYNC_PROFILE=<dir> npm run bench` writes next to the profiles:
// each phase's start and ends on the monotonic clock that V8's profiles use, so HQ's profile and
// the device's are read over the same window. <end> picks which end (0: the push answered,
// 1: projected). Without a window the whole profile is read. Prints self and inclusive time per
// function, in ms.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 30;
const [file, windowsFile, phase, endIndex] = args;
if (!file) {
  console.error('usage: profile-window.mjs <file.cpuprofile> [<windows.jsonl> <phase> [<end>]] [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
let from = -Infinity;
let to = Infinity;
if (windowsFile) {
  const windows = readFileSync(windowsFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  // BENCH_SYNC_PROFILE appends: a directory used twice holds a window per run. The profile's is the
  // last one that starts within it (an earlier run's would read none of its samples).
  const w = windows.findLast((x) => x.phase === phase && x.start >= profile.startTime && x.start <= profile.endTime);
  if (!w) {
    const has = windows.map((x) => `${x.phase} at ${x.start}`).join(', ');
    throw new Error(`no window "${phase}" in ${windowsFile} within this profile (${profile.startTime}–${profile.endTime} µs; has: ${has})`);
  }
  from = w.start;
  to = w.ends[Number(endIndex ?? w.ends.length - 1)];
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) =>
  `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
const self = new Map();
const inclusive = new Map();
let t = profile.startTime;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  if (t < from || t > to) continue;
  const node = byId.get(profile.samples[i]);
  if (node.callFrame.functionName === '(idle)') continue;
  total += ms;
  self.set(name(node), (self.get(name(node)) ?? 0) + ms);
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const key = name(byId.get(id));
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
  }
}
const print = (title, map) => {
  console.log(`--- ${title}`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(ms.toFixed(1).padStart(8), key);
};
console.log(`busy ms ${total.toFixed(0)}${Number.isFinite(from) ? ` in a window of ${((to - from) / 1000).toFixed(0)} ms` : ''}`);
print('self', self);
print('inclusive', inclusive);
