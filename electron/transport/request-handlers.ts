/**
 * The one place a request from the UI is turned into a service call, whatever carried it
 * (Electron IPC or HTTP): validate the payload, check every path against the allowlist, call
 * the service or the platform, and return a `Result`. Transports only add their own checks
 * (the sender, the token) in front of `handle`.
 */
import path from 'node:path';
import type { EtlErrorInfo } from '../../shared/pipeline';
import type { RequestChannel, RequestChannels, Result } from '../../shared/service-contract';
import { validateRequest, type RequestPayload } from '../../shared/validators';
import type { EngineService } from '../service/engine-service';
import type { PathAllowlist } from '../service/path-allowlist';
import { serviceErrorInfo } from '../service/service-error';
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
  /** The first path the allowlist refuses, as an error value; null when all are allowed. */
  const checkPaths = (paths: [string, string][]) => {
    for (const [p, what] of paths) {
      const problem = allowlist.check(p, what);
      if (problem) return refuse(problem, p);
    }
    return null;
  };

  const handlers: Handlers = {
    'etl:defaults': async () => {
      const defaults = await platform.defaults();
      // The sample data, the default output folder and what the user chose in earlier
      // sessions are places the user (or the app) picked.
      allowlist.allowDir(defaults.outDir);
      if (defaults.sample) {
        allowlist.allowFile(defaults.sample.eventsPath);
        allowlist.allowFile(defaults.sample.usersPath);
      }
      const { eventsPath, usersPath, outDir } = defaults.recent;
      if (eventsPath) allowlist.allowFile(eventsPath);
      if (usersPath) allowlist.allowFile(usersPath);
      if (outDir) allowlist.allowDir(outDir);
      return { ok: true, value: defaults };
    },
    'etl:inspect-input': async ({ path: p }) => checkPaths([[p, 'The input file']]) ?? service.inspectInput(p),
    'etl:run': async (req) => {
      const refused = checkPaths([
        [req.eventsPath, 'The events file'],
        [req.usersPath, 'The users file'],
        [req.outDir, 'The output folder'],
      ]);
      if (refused) return refused;
      if (!service.running)
        await platform
          .remember({ eventsPath: req.eventsPath, usersPath: req.usersPath, outDir: req.outDir })
          .catch(() => undefined);
      return service.run(req);
    },
    'etl:cancel': () => service.cancel(),
    'etl:read-page': async (req) => checkPaths([[req.outDir, 'The output folder']]) ?? service.readPage(req),
    'etl:dropped-summary': async ({ outDir }) =>
      checkPaths([[outDir, 'The output folder']]) ?? service.droppedSummary(outDir),
    'etl:export-dropped-csv': async ({ outDir, dropReason }) =>
      checkPaths([[outDir, 'The output folder']]) ?? service.exportDroppedCsv(outDir, dropReason),
    'etl:daily-counts': async ({ outDir }) =>
      checkPaths([[outDir, 'The output folder']]) ?? service.dailyCounts(outDir),
    'etl:pick-inputs': async () => {
      const paths = await platform.pickInputs();
      for (const p of paths) allowlist.allowFile(p);
      return { ok: true, value: paths };
    },
    'etl:pick-output-dir': async () => {
      const dir = await platform.pickOutputDir();
      if (dir) allowlist.allowDir(dir);
      return { ok: true, value: dir };
    },
    'etl:show-in-folder': async ({ path: p }) => {
      const refused = checkPaths([[p, 'The file']]);
      if (refused) return refused;
      await platform.showInFolder(path.resolve(p));
      return { ok: true, value: null };
    },
  };

  /** Validates and dispatches one request; never throws. */
  async function handle(channel: string, payload: unknown): Promise<Result<unknown>> {
    const valid = validateRequest(channel, payload);
    if (!valid.ok) return valid;
    try {
      const handler = handlers[channel as RequestChannel] as (p: unknown) => Promise<Result<unknown>>;
      return await handler(valid.value);
    } catch (err) {
      return { ok: false, error: serviceErrorInfo(err) };
    }
  }

  return { handle, handlers };
}
