import assert from 'node:assert/strict';
import { compose } from '../../../webhook/admission/handler.js';
import { allowed, boundWarnings, complete, denied, errored, patched, review, MAX_WARNINGS } from '../../../webhook/admission/response.js';
import type { AdmissionRequest } from '../../../webhook/admission/types.js';

describe('admission responses', () => {
  const rows = [
    { name: 'allowed', decision: allowed(), want: { uid: 'u', allowed: true } },
    { name: 'allowed with warnings', decision: allowed(['w1']), want: { uid: 'u', allowed: true, warnings: ['w1'] } },
    {
      name: 'denied',
      decision: denied('set immutable: true'),
      want: { uid: 'u', allowed: false, status: { code: 403, reason: 'Forbidden', message: 'set immutable: true', status: 'Failure' } },
    },
    {
      name: 'errored 400',
      decision: errored(400, 'bad'),
      want: { uid: 'u', allowed: false, status: { code: 400, reason: 'BadRequest', message: 'bad', status: 'Failure' } },
    },
    {
      name: 'errored 500',
      decision: errored(500, 'boom'),
      want: { uid: 'u', allowed: false, status: { code: 500, reason: 'InternalError', message: 'boom', status: 'Failure' } },
    },
    { name: 'empty patch is a plain allow', decision: patched([]), want: { uid: 'u', allowed: true } },
  ];
  for (const r of rows) {
    it(`completes ${r.name}`, () => assert.deepEqual(complete('u', r.decision), r.want));
  }

  it('serialises a patch as base64 JSONPatch', () => {
    const ops = [{ op: 'add' as const, path: '/metadata/annotations/a~1b', value: 'x' }];
    const res = complete('u', patched(ops));
    assert.equal(res.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(res.patch!, 'base64').toString()), ops);
  });

  it('wraps responses in an AdmissionReview v1 envelope', () => {
    assert.deepEqual(review(complete('u', allowed())), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u', allowed: true } });
  });

  it('bounds warnings in length and number, and drops duplicates', () => {
    const long = 'x'.repeat(1000);
    const many = Array.from({ length: 50 }, (_, i) => `w${i}`);
    const out = boundWarnings([long, long, ...many]);
    assert.equal(out.length, MAX_WARNINGS);
    assert.ok(out[0]!.length <= 256 && out[0]!.endsWith('… (1000 characters)'));
    assert.match(out.at(-1)!, /more warnings not shown/);
  });

  it('composes handlers: patches concatenate, first denial wins, warnings accumulate', async () => {
    const req = { uid: 'u' } as AdmissionRequest;
    const calls: string[] = [];
    const h = (name: string, d: ReturnType<typeof allowed>) => ({ name, handle: () => (calls.push(name), d) });
    const ok = await compose('c', [
      h('a', patched([{ op: 'add', path: '/a', value: 1 }], ['wa'])),
      h('b', patched([{ op: 'add', path: '/b', value: 2 }])),
    ]).handle(req);
    assert.equal(ok.allowed, true);
    assert.deepEqual(ok.allowed && ok.patch?.map((p) => p.path), ['/a', '/b']);
    assert.deepEqual(ok.warnings, ['wa']);
    const no = await compose('c', [h('x', allowed(['w1'])), h('y', denied('no')), h('z', allowed())]).handle(req);
    assert.equal(no.allowed, false);
    assert.deepEqual(no.warnings, ['w1']);
    assert.ok(!calls.includes('z'), 'handlers after a denial do not run');
  });
});
