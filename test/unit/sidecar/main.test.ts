import assert from 'node:assert/strict';
import { loadSpec } from '../../../sidecar/main.js';
import { SidecarMetrics } from '../../../sidecar/metrics.js';
import { isSidecarError } from '../../../sidecar/errors.js';
import { specWith } from './fixtures.js';

describe('sidecar command and metrics', () => {
  const rows = [
    { name: 'no spec at all', env: {}, want: /set BULWARK_SPEC or pass --spec-file/ },
    { name: 'not JSON', env: { BULWARK_SPEC: '{nope' }, want: /not valid JSON/ },
    { name: 'fails the schema', env: { BULWARK_SPEC: JSON.stringify({ ...specWith(), refreshSeconds: 0 }) }, want: /refreshSeconds must be >= 1/ },
  ];
  for (const row of rows) {
    it(`refuses a spec: ${row.name}`, async () => {
      await assert.rejects(loadSpec(undefined, row.env), (e: unknown) => isSidecarError(e, 'SPEC_INVALID') && row.want.test((e as Error).message));
    });
  }

  it('accepts a valid spec from the environment', async () => {
    const spec = await loadSpec(undefined, { BULWARK_SPEC: JSON.stringify(specWith()) });
    assert.equal(spec.files[0]!.name, 'app.json');
  });

  it("takes the pod's real name from BULWARK_POD_NAME and refuses a spec built for another namespace", async () => {
    const base = specWith();
    const named = await loadSpec(undefined, { BULWARK_SPEC: JSON.stringify(base), BULWARK_POD_NAME: 'web-7d9f-abcde', BULWARK_POD_NAMESPACE: base.pod.namespace });
    assert.equal(named.pod.name, base.pod.name ?? 'web-7d9f-abcde');
    const unnamed = { ...base, pod: { namespace: base.pod.namespace } };
    assert.equal((await loadSpec(undefined, { BULWARK_SPEC: JSON.stringify(unnamed), BULWARK_POD_NAME: 'web-7d9f-abcde' })).pod.name, 'web-7d9f-abcde');
    await assert.rejects(
      loadSpec(undefined, { BULWARK_SPEC: JSON.stringify(base), BULWARK_POD_NAMESPACE: 'elsewhere' }),
      (e: unknown) => isSidecarError(e, 'SPEC_INVALID') && /built for namespace .* runs in elsewhere/.test((e as Error).message),
    );
  });

  it('keeps one content_info series per file, labelled by hash', async () => {
    const m = new SidecarMetrics();
    m.fileWritten('a', 'h1');
    m.fileWritten('a', 'h2');
    const text = await m.registry.metrics();
    assert.match(text, /bulwark_sidecar_content_info\{file="a",version="h2"\} 1/);
    assert.doesNotMatch(text, /version="h1"/);
  });
});
