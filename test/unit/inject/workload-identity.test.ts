import assert from 'node:assert/strict';
import { findWorkloadIdentity } from '../../../webhook/inject/workload-identity.js';

describe('inject/workload identity', () => {
  const rows = [
    { name: 'no identity', input: [{ env: [{ name: 'A', value: '1' }] }], want: { env: [], mounts: [] } },
    {
      name: 'Azure Workload Identity',
      input: [
        { env: [{ name: 'X', value: '1' }] },
        {
          env: [
            { name: 'AZURE_CLIENT_ID', value: 'c' },
            { name: 'AZURE_TENANT_ID', value: 't' },
            { name: 'AZURE_FEDERATED_TOKEN_FILE', value: '/var/run/secrets/azure/tokens/azure-identity-token' },
            { name: 'AZURE_AUTHORITY_HOST', value: 'https://login.microsoftonline.com/' },
          ],
          volumeMounts: [{ name: 'azure-identity-token', mountPath: '/var/run/secrets/azure/tokens', readOnly: true }, { name: 'data', mountPath: '/data' }],
        },
      ],
      want: {
        env: [
          { name: 'AZURE_CLIENT_ID', value: 'c' },
          { name: 'AZURE_TENANT_ID', value: 't' },
          { name: 'AZURE_FEDERATED_TOKEN_FILE', value: '/var/run/secrets/azure/tokens/azure-identity-token' },
          { name: 'AZURE_AUTHORITY_HOST', value: 'https://login.microsoftonline.com/' },
        ],
        mounts: [{ name: 'azure-identity-token', mountPath: '/var/run/secrets/azure/tokens', readOnly: true }],
      },
    },
    {
      name: 'valueFrom identity variables are not copied (they may name the app container)',
      input: [{ env: [{ name: 'AWS_ROLE_ARN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }],
      want: { env: [], mounts: [] },
    },
    {
      name: 'a token file outside any mount copies the variable only',
      input: [{ env: [{ name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/token' }] }],
      want: { env: [{ name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/token' }], mounts: [] },
    },
  ];
  for (const r of rows) it(r.name, () => assert.deepEqual(findWorkloadIdentity(r.input as any), r.want));
});
