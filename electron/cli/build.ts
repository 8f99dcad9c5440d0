/**
 * Bundles the desktop app into `dist/` with esbuild.
 *   dist/electron/main.js, preload.js, run-worker.js  (node, cjs; node_modules stay external
 *   so native modules such as nodejs-polars load from the packaged node_modules)
 *   dist/renderer/  (browser, esm, minified) + index.html and css
 * Usage: tsx electron/cli/build.ts [--renderer]   (--renderer: only the renderer, for browser mode)
 */
import { build, type BuildOptions } from 'esbuild';
import { cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const dist = path.join(root, 'dist');

/** Node-side bundles: one cjs file per entry. */
const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  // Everything under node_modules stays a require(): electron is provided by the runtime,
  // nodejs-polars is native and must be loaded from disk (asarUnpack in package.json).
  packages: 'external',
  external: ['electron'],
  logLevel: 'warning',
};

/** Main, preload and the run worker: one cjs file each. */
export async function buildElectron(): Promise<void> {
  await build({
    ...common,
    entryPoints: {
      main: path.join(root, 'electron/main.ts'),
      'run-worker': path.join(root, 'electron/service/run-worker.ts'),
    },
    outdir: path.join(dist, 'electron'),
  });
  await build(await engineWorkersBuild(path.join(dist, 'electron')));
  // The preload runs sandboxed: it may only require('electron'), so it is bundled whole.
  await build({
    ...common,
    packages: undefined,
    entryPoints: { preload: path.join(root, 'electron/preload.ts') },
    outdir: path.join(dist, 'electron'),
  });
}

/**
 * Only the run worker (and the engine's own workers beside it) into `outdir`: browser mode and
 * the tests host runs from this bundle, as the packaged app does, instead of through tsx.
 */
export async function buildRunWorker(outdir = path.join(dist, 'electron')): Promise<string> {
  const results = await Promise.all([
    build({
      ...common,
      entryPoints: { 'run-worker': path.join(root, 'electron/service/run-worker.ts') },
      outdir,
      write: false,
    }),
    build({ ...(await engineWorkersBuild(outdir)), write: false }),
  ]);
  // Several servers or test files may build at once: each file is written whole, then renamed,
  // so a run host never loads half a bundle. (The outdir stays inside the project so the
  // bundle's require()s find node_modules.)
  await mkdir(outdir, { recursive: true });
  for (const file of results.flatMap((r) => r.outputFiles ?? [])) {
    const temp = `${file.path}.${process.pid}.tmp`;
    await writeFile(temp, file.contents);
    await rename(temp, file.path);
  }
  return path.join(outdir, 'run-worker.js');
}

/**
 * Worker scripts the engine starts itself (`electron/engine/*-worker.ts`). The engine looks
 * for `<name>.js` beside its own code, which once bundled is dist/electron/. They are bundled
 * whole: the packaged app ships them outside the asar, where node_modules may not be reached
 * (none loads Polars: a spilled run's scan threads write the reader's columns as Arrow
 * themselves, batch-spill.ts), and a scan thread that fails to start is replaced by the same
 * scan on the engine thread (events-reader.ts).
 */
async function engineWorkersBuild(outdir: string): Promise<BuildOptions> {
  const dir = path.join(root, 'electron/engine');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('-worker.ts'));
  const entryPoints = Object.fromEntries(names.map((n) => [n.replace(/\.ts$/, ''), path.join(dir, n)]));
  return { ...common, packages: undefined, entryPoints, outdir };
}

/** The React UI, as static files the custom protocol (or the HTTP server) serves. */
export async function buildRenderer(): Promise<void> {
  const final = path.join(dist, 'renderer');
  // Built aside, then swapped in: a server showing the UI meanwhile never sees half a build.
  const out = path.join(dist, `.renderer-${process.pid}`);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [path.join(root, 'renderer/main.tsx')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome120'],
    jsx: 'automatic',
    minify: true,
    sourcemap: true,
    outdir: out,
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.png': 'file', '.svg': 'file', '.woff2': 'file' },
    logLevel: 'warning',
  });
  await cp(path.join(root, 'renderer/index.html'), path.join(out, 'index.html'));
  await copyCss(path.join(root, 'renderer'), out);
  const old = path.join(dist, `.renderer-old-${process.pid}`);
  // Another build may swap its own copy in at the same moment: then try again.
  for (let attempt = 1; ; attempt++) {
    await rename(final, old).catch(() => undefined);
    try {
      await rename(out, final);
      break;
    } catch (err) {
      if (attempt >= 5) throw err;
    } finally {
      await rm(old, { recursive: true, force: true });
    }
  }
}

/** Plain css files next to the sources (not imported by the bundle) are copied as they are. */
async function copyCss(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'client') continue;
      await copyCss(src, path.join(to, entry.name));
    } else if (entry.name.endsWith('.css')) {
      await mkdir(to, { recursive: true });
      const dest = path.join(to, entry.name);
      // Do not overwrite a css file esbuild emitted from imports (main.css).
      if (!(await stat(dest).catch(() => null))) await cp(src, dest);
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const rendererOnly = process.argv.includes('--renderer');
  await Promise.all([buildRenderer(), rendererOnly ? Promise.resolve() : buildElectron()]);
  console.log(
    `Built ${rendererOnly ? 'renderer' : 'app'} into ${path.relative(process.cwd(), dist) || dist} in ${Date.now() - started} ms`,
  );
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`Build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
