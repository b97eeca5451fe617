/**
 * One version everywhere: package.json, the chart's appVersion, the images the base and the
 * staging/prod overlays deploy, and the sidecar image the webhook injects by default.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { SETTINGS } from '../../../webhook/config/options.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const version = (JSON.parse(read('package.json')) as { version: string }).version;

describe('deploy: versions agree', () => {
  it("the chart's appVersion is package.json's version", () => {
    assert.equal((parse(read('deploy/helm/bulwark/Chart.yaml')) as { appVersion: string }).appVersion, version);
  });
  it('the webhook injects the sidecar image of the same version by default', () => {
    assert.equal(SETTINGS.find((s) => s.key === 'sidecarImage')!.default, `ghcr.io/bulwark-dev/bulwark-sidecar:${version}`);
  });
  it('deploy/base runs the webhook image of the same version', () => {
    const d = parseAllDocuments(read('deploy/base/deployment.yaml')).map((x) => x.toJS()).find((o) => o?.kind === 'Deployment');
    assert.equal(d.spec.template.spec.containers[0].image, `ghcr.io/bulwark-dev/bulwark-webhook:${version}`);
  });
  for (const overlay of ['staging', 'prod']) {
    it(`overlays/${overlay} pins both images to the same version`, () => {
      const k = parse(read(`deploy/overlays/${overlay}/kustomization.yaml`)) as { images: { name: string; newTag: string }[] };
      assert.deepEqual(k.images, [{ name: 'ghcr.io/bulwark-dev/bulwark-webhook', newTag: version }]);
      assert.match(read(`deploy/overlays/${overlay}/deployment.yaml`), new RegExp(`ghcr\\.io/bulwark-dev/bulwark-sidecar:${version.replace(/\./g, '\\.')}\\b`));
    });
  }
});
