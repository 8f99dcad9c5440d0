#!/usr/bin/env node
/**
 * Run by `npm install` / `npm ci` (package.json "postinstall"): makes sure the nodejs-polars
 * native binary for the platform being installed for is in node_modules.
 *
 * Why: nodejs-polars ships its binary in one optional package per platform
 * (`nodejs-polars-win32-x64-msvc`, `-darwin-arm64`, `-linux-x64-gnu`...), and those packages declare
 * `engines: { node: ">= 22" }`. npm skips an optional package whose `engines` or `os`/`cpu` do not
 * match, silently, and ignores `--force` and `engine-strict` when it does (npm 11,
 * @npmcli/arborist build-ideal-tree.js: "Mark any optional packages we can't install as inert. We
 * ignore the --force and --engine-strict flags."). So on Node 20 `npm ci` installs no binary at
 * all. The binary is N-API and loads fine on Node 20 and in Electron; only the declaration is newer.
 * Depending on one platform's package directly (as we used to) breaks every other platform.
 *
 * What it does: picks, from package-lock.json, the one nodejs-polars platform package whose
 * `os`, `cpu` and `libc` match the target (npm's `--os`/`--cpu`/`--libc` when given, else this
 * machine), and when it is not installed, installs exactly that version into a scratch prefix
 * inside node_modules (npm checks the tarball against the registry's integrity) and moves it into
 * place. On Node >= 22 npm has already installed it and this does nothing.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PREFIX = 'nodejs-polars-';

/** The libc of this Linux machine: 'glibc' or 'musl' (null elsewhere). */
function detectLibc() {
  if (process.platform !== 'linux') return null;
  const header = process.report?.getReport?.().header;
  return header && header.glibcVersionRuntime ? 'glibc' : 'musl';
}

/**
 * The platform being installed for. npm passes `--os`, `--cpu` and `--libc` to install scripts
 * as npm_config_os / npm_config_cpu / npm_config_libc.
 */
function targetPlatform(env = process.env) {
  const os = env.npm_config_os || process.platform;
  const cpu = env.npm_config_cpu || process.arch;
  const libc = os === 'linux' ? env.npm_config_libc || (os === process.platform ? detectLibc() : 'glibc') : null;
  return { os, cpu, libc };
}

/** Whether a package.json-style `os`/`cpu`/`libc` list admits a value (npm's rules: `!x` excludes). */
function admits(list, value) {
  if (!list || list.length === 0) return true;
  if (value === null) return false;
  const allowed = list.filter((v) => !v.startsWith('!'));
  if (list.includes(`!${value}`)) return false;
  return allowed.length === 0 || allowed.includes(value);
}

/**
 * The nodejs-polars platform package for `target`, from a package-lock.json object: its name,
 * version and integrity, or null when nodejs-polars has none for that platform.
 */
function pickBinaryPackage(lock, target) {
  const polars = lock.packages?.['node_modules/nodejs-polars'];
  if (!polars) throw new Error('package-lock.json has no nodejs-polars entry');
  const names = Object.keys(polars.optionalDependencies ?? {}).filter((n) => n.startsWith(PREFIX));
  for (const name of names) {
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry) continue;
    if (admits(entry.os, target.os) && admits(entry.cpu, target.cpu) && admits(entry.libc, target.libc)) {
      return { name, version: entry.version, integrity: entry.integrity };
    }
  }
  return null;
}

/** The installed version of `name` under `projectRoot`, or null. */
function installedVersion(projectRoot, name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/**
 * Installs the platform package into node_modules when it is missing. Returns what it did:
 * 'present', 'installed' or 'none' (no package for the platform). Throws with the reason when
 * npm fails, so the install fails loudly rather than leaving an app that cannot load Polars.
 */
function ensureBinary(projectRoot, { env = process.env, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const lock = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package-lock.json'), 'utf8'));
  const target = targetPlatform(env);
  const pkg = pickBinaryPackage(lock, target);
  const where = `${target.os}-${target.cpu}${target.libc ? `-${target.libc}` : ''}`;
  if (!pkg) {
    log(`install-polars-binary: nodejs-polars has no native package for ${where}; the engine cannot run here.`);
    return 'none';
  }
  if (installedVersion(projectRoot, pkg.name) === pkg.version) return 'present';

  const scratch = path.join(projectRoot, 'node_modules', '.polars-binary-install');
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  fs.writeFileSync(path.join(scratch, 'package.json'), '{"private":true}\n');
  const crossInstall = target.os !== process.platform || target.cpu !== process.arch;
  const args = [
    'install',
    `${pkg.name}@${pkg.version}`,
    '--prefix',
    scratch,
    '--no-save',
    '--no-package-lock',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    // A direct (not optional) install only warns about `engines`; its os/cpu check is against this
    // machine, so installing another platform's binary (`npm ci --os=win32`) needs --force.
    ...(crossInstall ? ['--force'] : []),
  ];
  const npmCli = env.npm_execpath;
  const run =
    npmCli && /\.c?js$/.test(npmCli)
      ? spawnSync(process.execPath, [npmCli, ...args], { encoding: 'utf8', env: childEnv(env) })
      : spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
          encoding: 'utf8',
          env: childEnv(env),
          shell: process.platform === 'win32',
        });
  const from = path.join(scratch, 'node_modules', pkg.name);
  if (run.status !== 0 || !fs.existsSync(from)) {
    throw new Error(
      `install-polars-binary: could not install ${pkg.name}@${pkg.version} for ${where}:\n${run.stderr || run.error}`,
    );
  }
  const to = path.join(projectRoot, 'node_modules', pkg.name);
  fs.rmSync(to, { recursive: true, force: true });
  fs.renameSync(from, to);
  fs.rmSync(scratch, { recursive: true, force: true });
  if (installedVersion(projectRoot, pkg.name) !== pkg.version) {
    throw new Error(`install-polars-binary: ${pkg.name} is not at ${pkg.version} after installing it`);
  }
  log(`install-polars-binary: installed ${pkg.name}@${pkg.version} for ${where} (npm skips it on Node < 22).`);
  return 'installed';
}

/** The environment for the nested npm: without the outer install's lifecycle and target settings. */
function childEnv(env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^npm_(config_(os|cpu|libc|global|prefix|save.*|omit|include|force)|lifecycle_|package_)/i.test(k)) continue;
    out[k] = v;
  }
  return out;
}

module.exports = { targetPlatform, pickBinaryPackage, admits, ensureBinary, detectLibc };

if (require.main === module) {
  try {
    ensureBinary(path.resolve(__dirname, '../..'));
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
