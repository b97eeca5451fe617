import assert from 'node:assert/strict';
import { decideFileOwner, type OwnerPodView } from '../../../webhook/inject/file-owner.js';
import type { MountTarget } from '../../../webhook/inject/targets.js';

const all = (spec: OwnerPodView): MountTarget[] => [
  ...(spec.initContainers ?? []).map((c, index) => ({ list: 'initContainers' as const, index, name: c.name ?? '' })),
  ...(spec.containers ?? []).map((c, index) => ({ list: 'containers' as const, index, name: c.name ?? '' })),
];

describe('inject: who owns the files (file-owner)', () => {
  const rows: Array<{ name: string; spec: OwnerPodView; targets?: (s: OwnerPodView) => MountTarget[]; want: [number, number, string]; warns?: RegExp }> = [
    { name: 'an app as uid 1000 without fsGroup: Bulwark runs as 1000, so 0400 files are the app\'s own', spec: { containers: [{ name: 'app', securityContext: { runAsUser: 1000 } }] }, want: [1000, 1000, 'app-user'] },
    { name: 'the pod-level runAsUser and runAsGroup count', spec: { securityContext: { runAsUser: 1000, runAsGroup: 3000 }, containers: [{ name: 'app' }, { name: 'worker' }] }, want: [1000, 3000, 'app-user'] },
    { name: 'a container runAsUser overrides the pod\'s', spec: { securityContext: { runAsUser: 1000 }, containers: [{ name: 'app', securityContext: { runAsUser: 2000 } }] }, want: [2000, 2000, 'app-user'] },
    { name: 'fsGroup set: 65532, the group reads with 0440', spec: { securityContext: { runAsUser: 1000, fsGroup: 1000 }, containers: [{ name: 'app' }] }, want: [65532, 65532, 'fs-group'] },
    { name: 'no runAsUser anywhere (the image decides): 65532', spec: { containers: [{ name: 'app' }] }, want: [65532, 65532, 'default'] },
    { name: 'one container without runAsUser: 65532', spec: { containers: [{ name: 'app', securityContext: { runAsUser: 1000 } }, { name: 'other' }] }, want: [65532, 65532, 'default'] },
    { name: 'root apps: never run Bulwark as root', spec: { containers: [{ name: 'app', securityContext: { runAsUser: 0 } }] }, want: [65532, 65532, 'default'] },
    { name: 'group 0 is not copied', spec: { containers: [{ name: 'app', securityContext: { runAsUser: 1000, runAsGroup: 0 } }] }, want: [1000, 1000, 'app-user'] },
    {
      name: 'different users without fsGroup: 65532 and a warning saying what to set',
      spec: { containers: [{ name: 'app', securityContext: { runAsUser: 1000 } }, { name: 'proxy', securityContext: { runAsUser: 1337 } }] },
      want: [65532, 65532, 'default'],
      warns: /app \(uid 1000\), proxy \(uid 1337\).*fsGroup.*0440/,
    },
    {
      name: 'only the containers that mount the files count (bulwark.dev/containers)',
      spec: { containers: [{ name: 'app', securityContext: { runAsUser: 1000 } }, { name: 'proxy', securityContext: { runAsUser: 1337 } }] },
      targets: (s) => all(s).filter((t) => t.name === 'app'),
      want: [1000, 1000, 'app-user'],
    },
    { name: 'a non-integer runAsUser is ignored', spec: { containers: [{ name: 'app', securityContext: { runAsUser: '1000' as unknown as number } }] }, want: [65532, 65532, 'default'] },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const got = decideFileOwner(r.spec, (r.targets ?? all)(r.spec));
      assert.deepEqual([got.runAsUser, got.runAsGroup, got.reason], r.want);
      if (r.warns) assert.match(got.warning ?? '', r.warns);
      else assert.equal(got.warning, undefined);
    });
  }
});
