/**
 * The browser's XMLHttpRequest, as much of it as the browser-mode client's upload uses, carried
 * by Node's fetch: the unit tests run the real client against the real server in Node, which has
 * no XMLHttpRequest. Progress is reported once, when the body is sent (the e2e tests see the real
 * browser's progress).
 */
export class XhrOverFetch {
  status = 0;
  statusText = '';
  responseText = '';
  responseType = '';
  withCredentials = false;
  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  private method = 'GET';
  private url = '';
  private headers: Record<string, string> = {};

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  send(body: Blob): void {
    fetch(this.url, { method: this.method, headers: this.headers, body, credentials: 'omit' }).then(
      async (res) => {
        this.upload.onprogress?.({ loaded: body.size });
        this.status = res.status;
        this.statusText = res.statusText;
        this.responseText = await res.text();
        this.onload?.();
      },
      () => this.onerror?.(),
    );
  }
}
