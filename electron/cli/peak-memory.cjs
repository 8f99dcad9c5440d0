#!/usr/bin/env node
/**
 * Runs a command and reports the peak of the resident memory of its whole process tree, summed
 * over every process (a launcher and the engine child it starts, each with all its threads), as
 * the memory budget counts it (docs/performance.md "Memory budget"). `/usr/bin/time -v` reports
 * only the largest single process, which misses a launcher that waits for a child.
 * Linux only (/proc). Samples every 20 ms, so a spike shorter than that can be missed.
 * Usage: node electron/cli/peak-memory.cjs <command> [args...]
 * Prints `peak-tree-rss-mb=<MB> at-s=<s> wall-s=<s> cpu-s=<s> exit=<code>` (at-s: when the peak was
 * seen; cpu-s: user + system CPU of the command and the descendants it waited for, as
 * `/usr/bin/time` counts it, without this sampler's own) on standard error when the command ends.
 */
'use strict';
const fs = require('node:fs');
const { spawn } = require('node:child_process');

const PAGE = 4096;
const SAMPLE_MS = 20;
/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** The pids of `root` and all its descendants, from /proc. */
function treeOf(root) {
  const children = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // gone in between
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

/** Resident bytes of `pid` (all its threads share them), 0 if it is gone. */
function rssOf(pid) {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE;
  } catch {
    return 0;
  }
}

/** CPU seconds of this process's waited-for children (cutime + cstime of /proc/self/stat). */
function childrenCpuS() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / USER_HZ;
  } catch {
    return NaN;
  }
}

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  process.stderr.write('usage: node electron/cli/peak-memory.cjs <command> [args...]\n');
  process.exit(2);
}
const t0 = performance.now();
const child = spawn(cmd, args, { stdio: 'inherit' });
let peak = 0;
let peakAt = 0;
const timer = setInterval(() => {
  const sum = treeOf(child.pid).reduce((s, pid) => s + rssOf(pid), 0);
  if (sum > peak) {
    peak = sum;
    peakAt = performance.now() - t0;
  }
}, SAMPLE_MS);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  clearInterval(timer);
  const wall = (performance.now() - t0) / 1000;
  // The child has been reaped when 'exit' is emitted, so its CPU time is in cutime/cstime.
  const cpu = childrenCpuS();
  process.stderr.write(
    `peak-tree-rss-mb=${(peak / 1e6).toFixed(0)} at-s=${(peakAt / 1000).toFixed(1)} wall-s=${wall.toFixed(2)} cpu-s=${cpu.toFixed(2)} exit=${code ?? signal}\n`,
  );
  process.exit(code ?? 1);
});
