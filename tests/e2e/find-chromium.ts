/**
 * Where the e2e tests find a Chromium or Chrome: CHROMIUM_PATH (or CHROME_PATH) when set, else
 * the usual install places of the running OS. Nothing is downloaded.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The usual install places on `platform`, most specific first. */
export function chromiumCandidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  if (platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => !!r);
    return roots.flatMap((r) => [
      path.win32.join(r, 'Chromium', 'Application', 'chrome.exe'),
      path.win32.join(r, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      path.win32.join(r, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
    ]);
  }
  if (platform === 'darwin') {
    return [
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/microsoft-edge',
  ];
}

/**
 * The browser to drive: the env var's path (which must exist), else the first usual place that
 * exists. Throws saying what to set when there is none.
 */
export function findChromium(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  exists: (p: string) => boolean = existsSync,
): string {
  for (const name of ['CHROMIUM_PATH', 'CHROME_PATH'] as const) {
    const p = env[name];
    if (p) {
      if (!exists(p))
        throw new Error(`${name} is set to "${p}", which does not exist. Point it at a Chromium or Chrome.`);
      return p;
    }
  }
  const candidates = chromiumCandidates(platform, env);
  const found = candidates.find(exists);
  if (!found) {
    throw new Error(
      `No Chromium or Chrome found (looked in ${candidates.join(', ')}). Install one, or set CHROMIUM_PATH to its executable.`,
    );
  }
  return found;
}
