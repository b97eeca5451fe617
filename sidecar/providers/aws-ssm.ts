/**
 * AWS Systems Manager Parameter Store: one parameter (SecureString decrypted) or, for a path
 * ending in "/", every parameter under the hierarchy as a map. Version pinning with `name:version`.
 * Credentials come from the SDK's default chain (web identity on EKS).
 */
import { SSMClient, GetParameterCommand, GetParametersByPathCommand, type Parameter } from '@aws-sdk/client-ssm';
import { SidecarError } from '../errors.js';
import { publicDigest } from '../core/hash.js';
import { awsClientConfig, awsError } from './aws-errors.js';
import type { FetchedValue, Provider, ProviderContext, ProviderRef } from './types.js';

/** The SSM parameter name of a store path (SSM names of hierarchies start with "/"). */
export function ssmName(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/** Creates the SSM provider of a store. */
export function createSsmProvider(ctx: ProviderContext): Provider {
  const client = new SSMClient(awsClientConfig(ctx.store));
  return {
    async read(ref: ProviderRef, signal?: AbortSignal): Promise<FetchedValue> {
      const name = ssmName(ref.path);
      try {
        if (name.endsWith('/')) {
          const params: Parameter[] = [];
          let token: string | undefined;
          do {
            const out = await client.send(new GetParametersByPathCommand({ Path: name.replace(/\/$/, ''), Recursive: true, WithDecryption: true, NextToken: token }), { abortSignal: signal });
            params.push(...(out.Parameters ?? []));
            token = out.NextToken;
          } while (token);
          if (params.length === 0) throw new SidecarError('NOT_FOUND', `no SSM parameters under ${name}`, { path: ref.path });
          const value: Record<string, unknown> = {};
          for (const p of params) value[p.Name!.slice(name.length)] = p.Value ?? '';
          return { value, version: publicDigest(...params.map((p) => `${p.Name}@${p.Version}`)) };
        }
        const out = await client.send(new GetParameterCommand({ Name: ref.version ? `${name}:${ref.version}` : name, WithDecryption: true }), { abortSignal: signal });
        if (!out.Parameter) throw new SidecarError('BAD_RESPONSE', `SSM returned no parameter for ${name}`);
        return { value: out.Parameter.Value ?? '', version: String(out.Parameter.Version ?? '') };
      } catch (err) {
        if (err instanceof SidecarError) throw err;
        throw awsError(err, 'SSM parameter', name);
      }
    },
    async close() {
      client.destroy();
    },
  };
}
