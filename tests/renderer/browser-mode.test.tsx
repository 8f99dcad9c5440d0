/** Browser mode offers what it can do instead of the desktop's folder picker and file manager. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderToStaticMarkup } from 'react-dom/server';
import { ClientProvider } from '../../renderer/components/client-context';
import { InputsPanel } from '../../renderer/inputs/inputs-panel';
import { EMPTY_SLOTS } from '../../renderer/inputs/input-slots';
import type { EtlClient } from '../../shared/service-contract';
import { FakeClient, ok } from './fake-client';

function panel(client: EtlClient): string {
  return renderToStaticMarkup(
    <ClientProvider client={client}>
      <InputsPanel
        slots={EMPTY_SLOTS}
        onSlots={() => undefined}
        outDir="/srv/etl/output"
        onOutDir={() => undefined}
        defaults={null}
        running={false}
      />
    </ClientProvider>,
  );
}

test('browser mode: the output folder is shown read-only, with how to change it, and no Change… button', () => {
  const browserClient: EtlClient = Object.assign(new FakeClient(), {
    browser: { download: async () => ok(null), discardUpload: async () => ok(null) },
  });
  const html = panel(browserClient);
  assert.match(html, /\/srv\/etl\/output/);
  assert.match(html, /npm run serve -- --out &lt;folder&gt;/);
  assert.doesNotMatch(html, /Change…/);
});

test('desktop: the output folder has its Change… button', () => {
  const html = panel(new FakeClient());
  assert.match(html, /Change…/);
  assert.doesNotMatch(html, /npm run serve/);
});
