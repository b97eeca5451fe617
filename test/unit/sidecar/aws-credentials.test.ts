import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialFailure, type CredentialFailure } from '../../../sidecar/providers/aws-credentials.js';
import { awsError } from '../../../sidecar/providers/aws-errors.js';
import { createSsmProvider } from '../../../sidecar/providers/aws-ssm.js';
import { createSecretsManagerProvider } from '../../../sidecar/providers/aws-secrets-manager.js';
import { isSidecarError } from '../../../sidecar/errors.js';

const TOKEN_FILE = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const ROLE = 'arn:aws:iam::111122223333:role/app';

/** The error Node raises when a file is missing (what the SDK's fromTokenFile throws). */
function enoent(path: string): unknown {
  try {
    readFileSync(path);
  } catch (err) {
    return err;
  }
  throw new Error(`${path} exists`);
}

describe('sidecar AWS credential failures', () => {
  const irsa = { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE };
  const rows: Array<{ name: string; err: unknown; env: Record<string, string>; want: CredentialFailure['reason'] | undefined; says?: RegExp[] }> = [
    { name: 'empty chain without IRSA', err: { name: 'CredentialsProviderError' }, env: {}, want: 'no-credentials', says: [/no AWS credentials found/, /AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE/, /eks\.amazonaws\.com\/role-arn/] },
    { name: 'role set but no token file variable', err: { name: 'CredentialsProviderError' }, env: { AWS_ROLE_ARN: ROLE }, want: 'no-credentials', says: [/AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not/] },
    { name: 'token file variable set but no role', err: { name: 'CredentialsProviderError' }, env: { AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE }, want: 'no-credentials', says: [/AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not/] },
    { name: 'token file not mounted', err: enoent(TOKEN_FILE), env: irsa, want: 'token-file', says: [new RegExp(`cannot read the web identity token file ${TOKEN_FILE} .*\\(ENOENT\\)`), /mount the projected service-account token/] },
    { name: 'another missing file is not a token problem', err: enoent('/nonexistent/other'), env: irsa, want: undefined },
    { name: 'STS rejects the token', err: { name: 'InvalidIdentityTokenException' }, env: irsa, want: 'token-rejected', says: [/STS rejected the web identity token for arn:aws:iam::111122223333:role\/app/, /trust policy/] },
    { name: 'STS rejects a claim', err: { name: 'IDPRejectedClaimException' }, env: irsa, want: 'token-rejected' },
    { name: 'the store refusing access is the store speaking', err: { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }, env: irsa, want: undefined },
    { name: 'a missing parameter is the store speaking', err: { name: 'ParameterNotFound' }, env: {}, want: undefined },
    { name: 'a network error is not a credential failure', err: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' }), env: irsa, want: undefined },
    { name: 'undefined thrown', err: undefined, env: {}, want: undefined },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const got = credentialFailure(row.err, row.env);
      assert.equal(got?.reason, row.want);
      for (const re of row.says ?? []) assert.match(got!.message, re);
    });
  }

  it('awsError turns a credential failure into DENIED naming the path, and leaves store errors as before', () => {
    const saved = process.env;
    process.env = { AWS_ROLE_ARN: ROLE };
    try {
      const e = awsError({ name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' }, 'SSM parameter', '/team-a/db');
      assert.equal(e.code, 'DENIED');
      assert.equal(e.details.credentials, 'no-credentials');
      assert.match(e.message, /^SSM parameter \/team-a\/db: no AWS credentials found.*AWS_WEB_IDENTITY_TOKEN_FILE is not/);
      assert.equal(awsError({ name: 'ParameterNotFound' }, 'SSM parameter', '/x').code, 'NOT_FOUND');
      assert.equal(awsError({ name: 'TimeoutError' }, 'SSM parameter', '/x').code, 'UNAVAILABLE');
    } finally {
      process.env = saved;
    }
  });

  describe('through the real SDK default chain (no network: it fails before any request)', () => {
    let saved: NodeJS.ProcessEnv;
    let home: string;
    beforeEach(() => {
      saved = process.env;
      home = mkdtempSync(join(tmpdir(), 'bulwark-aws-cred-'));
    });
    afterEach(() => {
      process.env = saved;
      rmSync(home, { recursive: true, force: true });
    });
    const store = { address: 'http://127.0.0.1:1', region: 'us-east-1' };
    const cases = [
      { name: 'SSM, token file missing', make: () => createSsmProvider({ storeName: 'ssm', store: { provider: 'aws-ssm', ...store }, namespace: 'team-a' }), env: (h: string) => ({ AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: join(h, 'token') }), want: /cannot read the web identity token file .*bulwark-aws-cred-.*\/token/ },
      { name: 'Secrets Manager, no credentials at all', make: () => createSecretsManagerProvider({ storeName: 'sm', store: { provider: 'aws-secrets-manager', ...store }, namespace: 'team-a' }), env: () => ({}), want: /no AWS credentials found/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        process.env = { PATH: saved.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...c.env(home) };
        const provider = c.make();
        try {
          await assert.rejects(provider.read({ store: 'x', path: 'team-a/db' }), (e: unknown) => isSidecarError(e, 'DENIED') && c.want.test((e as Error).message) && /team-a\/db/.test((e as Error).message));
        } finally {
          await provider.close?.();
        }
      });
    }
  });
});
