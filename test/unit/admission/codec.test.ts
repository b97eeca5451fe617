import assert from 'node:assert/strict';
import { DecodeError, decodeReview, isJsonContentType, jsonDepth } from '../../../webhook/admission/codec.js';

const good = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: 'u1', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', userInfo: { username: 'alice' }, namespace: 'team-a', object: { metadata: { name: 'p' } } },
};

describe('admission codec', () => {
  it('decodes a valid review and defaults userInfo and group', () => {
    const body = JSON.parse(JSON.stringify(good));
    delete body.request.userInfo;
    delete body.request.kind.group;
    const req = decodeReview(JSON.stringify(body), { contentType: 'application/json; charset=utf-8' });
    assert.equal(req.uid, 'u1');
    assert.deepEqual(req.userInfo, {});
    assert.deepEqual(req.kind, { group: '', version: 'v1', kind: 'Pod' });
    assert.equal(req.namespace, 'team-a');
  });

  const mutate = (f: (r: any) => void) => {
    const b = JSON.parse(JSON.stringify(good));
    f(b);
    return JSON.stringify(b);
  };
  const cases: Array<{ name: string; body: string | undefined; contentType?: string; code: string; status: number; uid?: string; message: RegExp }> = [
    { name: 'empty body', body: '', code: 'BODY_EMPTY', status: 400, message: /empty/ },
    { name: 'undefined body', body: undefined, code: 'BODY_EMPTY', status: 400, message: /empty/ },
    { name: 'not JSON', body: '{"apiVersion":', code: 'BODY_NOT_JSON', status: 400, message: /not valid JSON/ },
    { name: 'wrong content type', body: JSON.stringify(good), contentType: 'text/plain', code: 'CONTENT_TYPE', status: 415, message: /application\/json/ },
    { name: 'array body', body: '[]', code: 'REVIEW_VERSION', status: 400, message: /JSON object/ },
    { name: 'v1beta1', body: mutate((b) => (b.apiVersion = 'admission.k8s.io/v1beta1')), code: 'REVIEW_VERSION', status: 400, uid: 'u1', message: /admissionReviewVersions/ },
    { name: 'wrong kind', body: mutate((b) => (b.kind = 'Pod')), code: 'REVIEW_VERSION', status: 400, uid: 'u1', message: /AdmissionReview/ },
    { name: 'no request', body: mutate((b) => delete b.request), code: 'REVIEW_NO_REQUEST', status: 400, message: /no request/ },
    { name: 'no uid', body: mutate((b) => delete b.request.uid), code: 'REVIEW_NO_UID', status: 400, message: /uid/ },
    { name: 'numeric uid', body: mutate((b) => (b.request.uid = 5)), code: 'REVIEW_NO_UID', status: 400, message: /uid/ },
    { name: 'bad operation', body: mutate((b) => (b.request.operation = 'PATCH')), code: 'REVIEW_BAD_SHAPE', status: 400, uid: 'u1', message: /operation/ },
    { name: 'kind not object', body: mutate((b) => (b.request.kind = 'Pod')), code: 'REVIEW_BAD_SHAPE', status: 400, uid: 'u1', message: /request\.kind/ },
    { name: 'object is a string', body: mutate((b) => (b.request.object = 'x')), code: 'REVIEW_BAD_SHAPE', status: 400, uid: 'u1', message: /request\.object/ },
    { name: 'metadata is array', body: mutate((b) => (b.request.object.metadata = [])), code: 'REVIEW_BAD_SHAPE', status: 400, uid: 'u1', message: /metadata/ },
    { name: 'namespace number', body: mutate((b) => (b.request.namespace = 1)), code: 'REVIEW_BAD_SHAPE', status: 400, uid: 'u1', message: /namespace/ },
    { name: 'dryRun string', body: mutate((b) => (b.request.dryRun = 'yes')), code: 'REVIEW_BAD_SHAPE', status: 400, uid: 'u1', message: /dryRun/ },
    { name: 'too deep', body: '['.repeat(5000) + ']'.repeat(5000), code: 'BODY_TOO_DEEP', status: 400, message: /deeper than 100/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => {
      const opts = c.contentType !== undefined ? { contentType: c.contentType } : {};
      assert.throws(
        () => decodeReview(c.body, opts),
        (err: unknown) => {
          assert.ok(err instanceof DecodeError);
          assert.equal(err.code, c.code);
          assert.equal(err.httpStatus, c.status);
          assert.equal(err.uid, c.uid);
          assert.match(err.message, c.message);
          return true;
        },
      );
    });
  }

  it('measures depth ignoring brackets inside strings and escaped quotes', () => {
    assert.equal(jsonDepth('{"a":"[[[[\\"[["}'), 1);
    assert.equal(jsonDepth('{"a":[{"b":[]}]}'), 4);
    assert.equal(jsonDepth('[[[[[[', 3), 4);
  });

  it('recognises JSON content types', () => {
    assert.equal(isJsonContentType('application/json'), true);
    assert.equal(isJsonContentType('Application/JSON; charset=utf-8'), true);
    assert.equal(isJsonContentType('application/yaml'), false);
    assert.equal(isJsonContentType(undefined), false);
  });
});
