/**
 * Test helpers: a minimal valid spec and an in-memory store (a plain object behind the Provider interface).
 */
import type { SidecarSpec } from '../../../sidecar/spec/types.js';
import type { FetchedValue, Provider } from '../../../sidecar/providers/types.js';
import { SidecarError } from '../../../sidecar/errors.js';

/** Builds a spec with one file `app.json` from store `mem` path `app/config`, overridable. */
export function specWith(over: Partial<SidecarSpec> = {}): SidecarSpec {
  return {
    version: 1,
    pod: { namespace: 'team-a', name: 'p', owner: { kind: 'Deployment', name: 'app' } },
    mountPath: '/bulwark',
    files: [{ name: 'app.json', kind: 'config', sources: [{ store: 'mem', path: 'app/config' }], format: 'json', mode: 0o400 }],
    stores: { mem: { provider: 'file', pathPrefixes: ['app'] } },
    reload: [{ type: 'none' }],
    refreshSeconds: 1,
    onFailure: 'keep-last-good',
    initOnly: false,
    debounceMs: 10,
    ...over,
  };
}

/** An in-memory store: set values, take it down, count reads. */
export class MemStore implements Provider {
  values = new Map<string, { value: FetchedValue['value']; version: number }>();
  down = false;
  reads = 0;

  set(path: string, value: FetchedValue['value']): void {
    const prev = this.values.get(path);
    this.values.set(path, { value, version: (prev?.version ?? 0) + 1 });
  }

  async read(ref: { path: string }): Promise<FetchedValue> {
    this.reads += 1;
    if (this.down) throw new SidecarError('UNAVAILABLE', 'mem store is down');
    const v = this.values.get(ref.path);
    if (!v) throw new SidecarError('NOT_FOUND', `no ${ref.path}`);
    return { value: v.value, version: String(v.version) };
  }
}
