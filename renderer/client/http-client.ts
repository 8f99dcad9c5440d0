/**
 * The EtlClient of browser mode (`npm run serve`): POST /api/<channel> with a JSON body,
 * progress over server-sent events, and files picked or dropped in the page uploaded to the
 * server's private temp folder. The page sends the session token itself (the `x-etl-token`
 * header; `?token=` for the event stream, which cannot send a header): see page-token.ts.
 */
import type { EtlErrorInfo, ProgressEvent } from '../../shared/pipeline';
import {
  channelMethods,
  type EtlClient,
  type RequestChannel,
  type RequestChannels,
  type Result,
  type UploadProgress,
} from '../../shared/service-contract';
import { takePageToken } from './page-token';

type ChannelResponse<C extends RequestChannel> = ReturnType<RequestChannels[C]>;

/**
 * `base` and `token` are for use outside the served page (tests, tools); the page itself
 * passes neither and takes its token from the token exchange (page-token.ts).
 */
export function createHttpClient(base = '', token: string | undefined = takePageToken()): EtlClient {
  const auth: Record<string, string> = token ? { 'x-etl-token': token } : {};
  async function call<C extends RequestChannel>(channel: C, payload?: unknown): Promise<ChannelResponse<C>> {
    try {
      const res = await fetch(`${base}/api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: payload === undefined ? '' : JSON.stringify(payload),
        credentials: 'omit',
      });
      return (await readResult(res)) as ChannelResponse<C>;
    } catch (err) {
      return lostConnection(err) as ChannelResponse<C>;
    }
  }

  const ownUploads = new Set<string>();

  async function send(method: 'GET' | 'DELETE', route: string): Promise<Response> {
    return fetch(`${base}${route}`, { method, headers: auth, credentials: 'omit' });
  }

  /** Fetches a file the app wrote and hands it to the browser as a download. */
  async function download(path: string): Promise<Result<null>> {
    try {
      const res = await send('GET', `/api/download?path=${encodeURIComponent(path)}`);
      if (!res.ok) return readResult(res) as Promise<Result<null>>;
      const url = URL.createObjectURL(await res.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = path.split(/[\\/]/).pop() || 'download';
      link.style.display = 'none';
      document.body.appendChild(link);
      link.click();
      link.remove();
      // The browser has taken the file once the click is handled.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return { ok: true, value: null };
    } catch (err) {
      return lostConnection(err);
    }
  }

  /**
   * Only this page's own uploads: another tab (or the last session's inputs, reopened here) may
   * still hold the others.
   */
  async function discardUpload(path: string): Promise<Result<null>> {
    if (!ownUploads.delete(path)) return { ok: true, value: null };
    try {
      return (await readResult(await send('DELETE', `/api/upload?path=${encodeURIComponent(path)}`))) as Result<null>;
    } catch (err) {
      return lostConnection(err);
    }
  }

  /**
   * Uploads through XMLHttpRequest rather than fetch: only it reports the bytes sent, which a
   * large file (a 143 MB export takes a while even locally) needs to show.
   */
  function upload(file: File, onUpload?: UploadProgress): Promise<Result<string>> {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${base}/api/upload?name=${encodeURIComponent(file.name)}`);
      xhr.withCredentials = false; // as fetch's credentials: 'omit': the token header is the credential
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      for (const [k, v] of Object.entries(auth)) xhr.setRequestHeader(k, v);
      xhr.responseType = 'text';
      if (onUpload) {
        onUpload({ name: file.name, sent: 0, total: file.size });
        xhr.upload.onprogress = (e) => onUpload({ name: file.name, sent: e.loaded, total: file.size });
      }
      xhr.onload = () => {
        const res = new Response(xhr.status === 204 ? null : xhr.responseText, {
          status: xhr.status,
          statusText: xhr.statusText,
        });
        readResult(res).then(
          (r) => {
            if (r.ok) {
              ownUploads.add(r.value as string);
              uploadedNames.set(r.value as string, file.name);
            }
            resolve(r as Result<string>);
          },
          (err: unknown) => resolve(lostConnection(err) as Result<string>),
        );
      };
      xhr.onerror = () => resolve(lostConnection(new Error('the upload was interrupted')) as Result<string>);
      xhr.onabort = xhr.onerror;
      xhr.send(file);
    });
  }

  /**
   * Uploaded files live in the server's temp folder under their own names: errors and log lines
   * name the file the user chose, not that temp path (which they never saw).
   */
  const uploadedNames = new Map<string, string>();
  const userFacing = (text: string): string => {
    for (const [temp, name] of uploadedNames) text = text.split(temp).join(name);
    return text;
  };
  function userFacingError(error: EtlErrorInfo): EtlErrorInfo {
    return { ...error, message: userFacing(error.message), ...(error.file ? { file: userFacing(error.file) } : {}) };
  }
  function userFacingResult<R>(r: R): R {
    const res = r as Result<unknown>;
    if (uploadedNames.size === 0 || !res || typeof res !== 'object') return r;
    if (res.ok) {
      const v = res.value as { error?: EtlErrorInfo } | null;
      // An inspected file's own error (etl:inspect-input answers ok, with the error inside).
      if (v && typeof v === 'object' && v.error)
        return { ...res, value: { ...v, error: userFacingError(v.error) } } as R;
      return r;
    }
    return { ...res, error: userFacingError(res.error) } as R;
  }
  function userFacingEvent(event: ProgressEvent): ProgressEvent {
    if (uploadedNames.size === 0) return event;
    if (event.type === 'run-failed') return { ...event, error: userFacingError(event.error) };
    if (event.type === 'log') return { ...event, message: userFacing(event.message) };
    return event;
  }
  const callShown = (async (channel: RequestChannel, payload?: unknown) =>
    userFacingResult(await call(channel, payload))) as typeof call;

  // One EventSource for all subscribers, opened on the first subscription.
  const listeners = new Set<(e: ProgressEvent) => void>();
  let source: EventSource | null = null;
  function onProgress(cb: (e: ProgressEvent) => void): () => void {
    listeners.add(cb);
    if (!source) {
      source = new EventSource(`${base}/api/events${token ? `?token=${encodeURIComponent(token)}` : ''}`);
      source.addEventListener('progress', (message) => {
        const event = JSON.parse((message as MessageEvent<string>).data) as ProgressEvent;
        const shown = userFacingEvent(event);
        for (const l of listeners) l(shown);
      });
    }
    return () => {
      listeners.delete(cb);
      if (listeners.size === 0 && source) {
        source.close();
        source = null;
      }
    };
  }

  return {
    ...channelMethods(callShown),
    // Browser mode has no native picker: the page's file chooser, then each file uploaded.
    pickInputs: async (onUpload?: UploadProgress) => {
      const files = await chooseFiles();
      const paths: string[] = [];
      for (const file of files) {
        const uploaded = await upload(file, onUpload);
        if (!uploaded.ok) return uploaded;
        paths.push(uploaded.value);
      }
      return { ok: true, value: paths };
    },
    pathForDroppedFile: (file, onUpload) => upload(file, onUpload),
    onProgress,
    browser: { download, discardUpload },
  };
}

async function readResult(res: Response): Promise<Result<unknown>> {
  if (res.status === 401) {
    return {
      ok: false,
      error: {
        kind: 'input',
        message:
          'The ETL server refused this page: its session token is missing or wrong. Open the URL printed by `npm run serve` again.',
      },
    };
  }
  const body = (await res.json().catch(() => null)) as Result<unknown> | null;
  if (body && typeof body === 'object' && 'ok' in body) return body;
  return {
    ok: false,
    error: {
      kind: 'internal',
      message: `The ETL server answered ${res.status} ${res.statusText} without a result. Check the terminal running \`npm run serve\`.`,
    },
  };
}

function lostConnection(err: unknown): Result<never> {
  const why = err instanceof Error ? err.message : String(err);
  return {
    ok: false,
    error: {
      kind: 'internal',
      message: `Lost the connection to the ETL server (${why}). Is \`npm run serve\` still running?`,
    },
  };
}

/** Opens the browser's file chooser; resolves to [] when the user cancels. */
function chooseFiles(): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.accept = '.json,.ndjson,.jsonl,.csv';
    input.style.display = 'none';
    const done = (files: File[]) => {
      input.remove();
      resolve(files);
    };
    input.addEventListener('change', () => done([...(input.files ?? [])]));
    input.addEventListener('cancel', () => done([]));
    document.body.appendChild(input);
    input.click();
  });
}
