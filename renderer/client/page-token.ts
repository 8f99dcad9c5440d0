/**
 * Browser mode's session token, as the page holds it. The token exchange (`/?token=T`, the URL
 * `npm run serve` prints) redirects to `/#token=T`; the page takes the token from the fragment
 * once, keeps it in this tab's sessionStorage (a reload still works, another site never sees
 * it), and clears it from the address bar. The page sends it itself, in a header, with every
 * API call: no cookie can carry it to another port of 127.0.0.1.
 */
const KEY = 'etl-token';

/** The token from the address bar's fragment (then removed from it) or from this tab's storage. */
export function takePageToken(): string | undefined {
  if (typeof window === 'undefined') return undefined;
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromHash) {
    try {
      window.sessionStorage.setItem(KEY, fromHash);
    } catch {
      // Storage may be off; the token still works for this page's lifetime.
    }
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  try {
    return window.sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
