/**
 * What differs between the desktop app and browser mode: native dialogs, the file manager,
 * defaults and the remembered recent paths. The request handlers are the same for both.
 */
import type { AppDefaults } from '../../shared/service-contract';

export interface ShellPlatform {
  defaults(): Promise<AppDefaults>;
  /** Native file picker; resolves to the chosen paths ([] when cancelled). */
  pickInputs(): Promise<string[]>;
  /** Native folder picker; null when cancelled. */
  pickOutputDir(): Promise<string | null>;
  showInFolder(path: string): Promise<void>;
  /** Remembers the paths of a run the user started, for the next launch. */
  remember(recent: AppDefaults['recent']): Promise<void>;
}
