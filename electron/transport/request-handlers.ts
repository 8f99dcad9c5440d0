/**
 * The one place a request from the UI is turned into a service call, whatever carried it
 * (Electron IPC or HTTP): validate the payload, check every path against the allowlist, call
 * the service or the platform, and return a `Result`. Transports only add their own checks
 * (the sender, the token) in front of `handle`.
 */
import path from 'node:path';
import { OUTPUT_FILES, type EtlErrorInfo } from '../../shared/pipeline';
import type { RequestChannel, RequestChannels, Result } from '../../shared/service-contract';
import { validateRequest, type RequestPayload } from '../../shared/validators';
import type { EngineService } from '../service/engine-service';
import type { PathAllowlist } from '../service/path-allowlist';
import { REOPENED_FILES } from '../service/reopen-run';
import { toErrorInfo } from '../engine/errors';
import type { ShellPlatform } from './shell-platform';

type Response<C extends RequestChannel> = ReturnType<RequestChannels[C]>;
type Handlers = { [C in RequestChannel]: (payload: RequestPayload<C>) => Promise<Response<C>> };

export interface RequestHandlerDeps {
  service: EngineService;
  platform: ShellPlatform;
  allowlist: PathAllowlist;
}

export function createRequestHandlers({ service, platform, allowlist }: RequestHandlerDeps) {
  const refuse = (message: string, file?: string): { ok: false; error: EtlErrorInfo } => ({
    ok: false,
    error: file ? { kind: 'input', message, file } : { kind: 'input', message },
  });
  /**
   * Each path checked as what it will be used for (read an input, write into an output folder),
   * and handed on in the canonical form that was checked; or the first refusal, as an error value.
   */
  type Use = 'read' | 'output';
  const checkPaths = <K extends string>(
    paths: Record<K, [string, Use, string]>,
  ): { ok: true; paths: Record<K, string> } | { ok: false; error: EtlErrorInfo } => {
    const checked = {} as Record<K, string>;
    for (const key of Object.keys(paths) as K[]) {
      const [p, use, what] = paths[key];
      const result = use === 'read' ? allowlist.checkRead(p, what) : allowlist.checkOutputDir(p, what);
      if (!result.ok) return refuse(result.message, p);
      checked[key] = result.path;
    }
    return { ok: true, paths: checked };
  };
  const outputDir = (outDir: string) => checkPaths({ outDir: [outDir, 'output', 'The output folder'] });
  /**
   * A folder whose outputs a view reads: an output folder, or one whose files were granted for
   * reading (a run reopened from the history), in which case only those files.
   */
  const outputFiles = (outDir: string, ...names: string[]) => {
    const dir = allowlist.readableFiles(outDir, names);
    return dir ? { ok: true as const, paths: { outDir: dir } } : outputDir(outDir);
  };

  const handlers: Handlers = {
    'etl:defaults': async () => {
      const defaults = await platform.defaults();
      // The default output folder, the two sample files (not their folder: nothing may be written
      // beside them) and what the user chose in earlier sessions are places the user (or the app) picked.
      allowlist.allowOutputDir(defaults.outDir);
      if (defaults.sample) {
        allowlist.allowFile(defaults.sample.eventsPath);
        allowlist.allowFile(defaults.sample.usersPath);
      }
      const { eventsPath, usersPath, outDir } = defaults.recent;
      if (eventsPath) allowlist.allowFile(eventsPath);
      if (usersPath) allowlist.allowFile(usersPath);
      if (outDir) allowlist.allowOutputDir(outDir);
      return { ok: true, value: defaults };
    },
    'etl:inspect-input': async ({ path: p }) => {
      const checked = checkPaths({ p: [p, 'read', 'The input file'] });
      return checked.ok ? service.inspectInput(checked.paths.p) : checked;
    },
    'etl:run': async (req) => {
      const checked = checkPaths({
        eventsPath: [req.eventsPath, 'read', 'The events file'],
        usersPath: [req.usersPath, 'read', 'The users file'],
        outDir: [req.outDir, 'output', 'The output folder'],
      });
      if (!checked.ok) return checked;
      if (!service.running)
        await platform
          .remember({ eventsPath: req.eventsPath, usersPath: req.usersPath, outDir: req.outDir })
          .catch(() => undefined);
      return service.run({ ...req, ...checked.paths });
    },
    'etl:cancel': () => service.cancel(),
    'etl:read-page': async (req) => {
      const checked = outputFiles(req.outDir, req.file);
      return checked.ok ? service.readPage({ ...req, outDir: checked.paths.outDir }) : checked;
    },
    'etl:dropped-summary': async ({ outDir }) => {
      const checked = outputFiles(outDir, OUTPUT_FILES.droppedRows);
      return checked.ok ? service.droppedSummary(checked.paths.outDir) : checked;
    },
    'etl:export-dropped-csv': async ({ outDir, dropReason }) => {
      const checked = outputDir(outDir);
      return checked.ok ? service.exportDroppedCsv(checked.paths.outDir, dropReason) : checked;
    },
    'etl:daily-counts': async ({ outDir }) => {
      const checked = outputFiles(outDir, OUTPUT_FILES.dailySummary);
      return checked.ok ? service.dailyCounts(checked.paths.outDir) : checked;
    },
    'etl:profile-column': async (req) => {
      const checked = outputFiles(req.outDir, req.file);
      return checked.ok ? service.profileColumn({ ...req, outDir: checked.paths.outDir }) : checked;
    },
    'etl:run-history': () => service.runHistory(),
    'etl:output-report': async ({ outDir }) => {
      const checked = outputFiles(outDir, OUTPUT_FILES.runReport);
      return checked.ok ? service.outputReport(checked.paths.outDir) : checked;
    },
    'etl:html-report': async ({ outDir }) => {
      const checked = outputDir(outDir);
      return checked.ok ? service.htmlReport(checked.paths.outDir) : checked;
    },
    'etl:reopen-run': async ({ id }) => {
      const r = await service.reopenRun(id);
      // The app wrote these outputs; while they are still the run's, they may be read (not
      // written, and nothing else in their folder).
      if (r.ok && r.value.state === 'current')
        for (const name of REOPENED_FILES) allowlist.allowFile(path.join(r.value.entry.outDir, name));
      return r;
    },
    'etl:pick-inputs': async () => {
      const paths = await platform.pickInputs();
      for (const p of paths) allowlist.allowFile(p);
      return { ok: true, value: paths };
    },
    'etl:pick-output-dir': async () => {
      const dir = await platform.pickOutputDir();
      if (dir) allowlist.allowOutputDir(dir);
      return { ok: true, value: dir };
    },
    'etl:show-in-folder': async ({ path: p }) => {
      const checked = checkPaths({ p: [p, 'read', 'The file'] });
      if (!checked.ok) return checked;
      await platform.showInFolder(checked.paths.p);
      return { ok: true, value: null };
    },
  };

  // Before it serves anything, the app finishes or undoes what a crashed run left in the output
  // folders it knows (the default, the last used, the history's): no request can read or write
  // a half-switched folder (docs/outputs-safety.md "At the app's start").
  const startup = platform
    .defaults()
    .then(
      (d) => [d.outDir, d.recent.outDir],
      () => [],
    )
    .then((folders) => service.recoverRecentFolders(folders))
    .catch(() => undefined);

  /** Validates and dispatches one request; never throws. */
  async function handle(channel: string, payload: unknown): Promise<Result<unknown>> {
    const valid = validateRequest(channel, payload);
    if (!valid.ok) return valid;
    await startup;
    try {
      const handler = handlers[channel as RequestChannel] as (p: unknown) => Promise<Result<unknown>>;
      return await handler(valid.value);
    } catch (err) {
      return { ok: false, error: toErrorInfo(err) };
    }
  }

  return { handle, handlers, startup };
}
