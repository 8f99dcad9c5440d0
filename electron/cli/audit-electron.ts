/**
 * The Electron checklist, kept checked: runs @doyensec/electronegativity over the app's own
 * source (electron/, renderer/, shared/, package.json) and fails on any finding that
 * electronegativity.config.json does not explain, or on an explanation that no longer matches
 * a finding. Offline: the checks that fetch from the network are excluded in the config.
 * Usage: npm run audit:electron
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import run from '@doyensec/electronegativity';

const root = path.resolve(__dirname, '../..');

interface AuditConfig {
  /** Checks not run at all, each with its reason. */
  exclude: { check: string; reason: string }[];
  /** Findings that are known false positives: check id and file, with the reason. */
  suppress: { check: string; file: string; reason: string }[];
}

type Finding = Awaited<ReturnType<typeof run>>['issues'][number];

/** The findings of one scan of the app's source, with paths relative to the project. */
export async function scan(config: AuditConfig): Promise<Finding[]> {
  // electronegativity scans one folder; a copy holds exactly the app's source (no tests, builds
  // or dependencies), so the global checks see the main process and the page together.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'etl-audit-'));
  try {
    for (const entry of ['electron', 'renderer', 'shared', 'package.json'])
      await cp(path.join(root, entry), path.join(dir, entry), { recursive: true });
    const electron = JSON.parse(await readFile(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as {
      version: string;
    };
    const result = await run({
      input: dir,
      isRelative: true,
      electronVersionOverride: electron.version,
      excludeFromScan: config.exclude.map((e) => e.check),
    });
    const broken = result.errors.filter((e) => !e.tolerable);
    if (broken.length)
      throw new Error(`electronegativity could not parse: ${broken.map((e) => `${e.file}: ${e.message}`).join('; ')}`);
    return result.issues.map((i) => ({ ...i, file: i.file.split(path.sep).join('/') }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(await readFile(path.join(root, 'electronegativity.config.json'), 'utf8')) as AuditConfig;
  const findings = await scan(config);
  const matches = (s: AuditConfig['suppress'][number], f: Finding) => s.check === f.id && s.file === f.file;
  const unexplained = findings.filter((f) => !config.suppress.some((s) => matches(s, f)));
  const stale = config.suppress.filter((s) => !findings.some((f) => matches(s, f)));
  for (const f of findings) {
    const why = config.suppress.find((s) => matches(s, f));
    console.log(
      `${why ? 'suppressed' : 'FINDING   '} ${f.id} ${f.file}:${f.location.line}: ${why ? why.reason : f.description}`,
    );
  }
  for (const s of stale)
    console.log(
      `STALE      ${s.check} ${s.file}: no such finding any more; remove it from electronegativity.config.json.`,
    );
  if (unexplained.length || stale.length) {
    console.error(
      `audit:electron: ${unexplained.length} finding(s) to fix or explain, ${stale.length} stale suppression(s). ` +
        'Fix the code, or add the finding to electronegativity.config.json with the reason it is safe.',
    );
    process.exit(1);
  }
  console.log(`audit:electron: ${findings.length} finding(s), each explained in electronegativity.config.json.`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`audit:electron failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
