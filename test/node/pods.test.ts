/**
 * Node tier, injected pods that run: the app as a non-root user of its own reads Bulwark's files
 * (the kubernetes store through the pod's own ServiceAccount and real RBAC), the restart reload
 * rolls the Deployment when a Secret changes, and Job pods complete with bulwark-init only.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { nodeCluster } from './harness/env.js';
import { APP_USER, applyWhenAdmitted, getJson, listPods, podStory, sampleAppTemplate, sampleDeployment, userNamespace, waitReadyPods } from './harness/workloads.js';
import { IMAGE_USER, IMAGES } from './harness/images.js';
import { waitFor } from '../e2e/harness/net.js';

const NS = 'shop-dev';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('node: injected pods run', function () {
  const password = randomBytes(12).toString('hex');
  const appConfig = JSON.stringify({ greeting: 'hello', replicas: 1 });

  before(async function () {
    const { kubectl } = nodeCluster();
    await userNamespace(kubectl, NS, { 'bulwark.dev/environment': 'dev', 'bulwark.dev/tenant': 'shop' });
    await kubectl.ok(['-n', NS, 'create', 'secret', 'generic', 'db', `--from-literal=password=${password}`]);
    await kubectl.ok(['-n', NS, 'create', 'configmap', 'app-config', `--from-literal=app.json=${appConfig}`]);
  });

  const annotations = (extra: Record<string, string> = {}) => ({
    'bulwark.dev/inject': 'true',
    'bulwark.dev/secret.db-password': 'kubernetes:secret/db#password',
    'bulwark.dev/mode.db-password': '0440',
    'bulwark.dev/config.app.json': 'app-config#app.json',
    'bulwark.dev/mode.app.json': '0440',
    'bulwark.dev/refresh': '5s',
    ...extra,
  });

  it('a Deployment of a non-root app becomes Ready and its app reads the files it was given', async function () {
    const { kubectl } = nodeCluster();
    await applyWhenAdmitted(kubectl, sampleDeployment(NS, 'web', annotations()));
    const [pod] = await waitReadyPods(kubectl, NS, 'app=web');
    const spec = pod!.raw.spec;
    assert.deepEqual(
      spec.initContainers.map((c: any) => c.name),
      ['bulwark-init', 'bulwark-sidecar'],
      'bulwark-init then the native sidecar',
    );
    // Bulwark's containers run as 65532 with the pod's own token mounted (the plugin ran before the webhook)
    for (const c of spec.initContainers) {
      assert.equal(c.image, IMAGES.sidecar);
      assert.ok(c.volumeMounts.some((m: any) => m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount' && m.readOnly), `${c.name} mounts the token`);
    }
    const statuses = pod!.raw.status.initContainerStatuses;
    assert.equal(statuses[0].state.terminated?.exitCode, 0, podStory(pod!.raw));
    assert.ok(statuses[1].started && statuses[1].ready, `the sidecar runs: ${podStory(pod!.raw)}`);
    const files = await getJson(`http://${pod!.ip}:8080/files`);
    assert.equal(files.status, 200);
    assert.deepEqual(Object.keys(files.body).sort(), ['app.json', 'db-password']);
    assert.equal(files.body['db-password'].sha256, sha(password), 'the app reads the Secret value');
    assert.equal(files.body['db-password'].mode, '0440');
    assert.equal(files.body['db-password'].uid, IMAGE_USER, "owned by Bulwark's user");
    assert.equal(files.body['db-password'].gid, APP_USER, 'group is the fsGroup, so the app user can read');
    const state = await getJson(`http://${pod!.ip}:8080/config`);
    assert.deepEqual(state.body.config, JSON.parse(appConfig));
    // the app container itself runs as the app user, not root
    assert.equal(spec.containers[0].securityContext?.runAsUser ?? spec.securityContext.runAsUser, APP_USER);
  });

  it('an app as uid 1000 without fsGroup reads its 0400 files: Bulwark runs as the app user', async function () {
    const { kubectl } = nodeCluster();
    const plain = { 'bulwark.dev/inject': 'true', 'bulwark.dev/secret.db-password': 'kubernetes:secret/db#password', 'bulwark.dev/config.app.json': 'app-config#app.json' };
    await applyWhenAdmitted(kubectl, sampleDeployment(NS, 'plain', plain, { runAsNonRoot: true, runAsUser: 1000 }));
    const [pod] = await waitReadyPods(kubectl, NS, 'app=plain');
    for (const c of pod!.raw.spec.initContainers) assert.equal(c.securityContext.runAsUser, 1000, `${c.name} runs as the app user`);
    const files = await getJson(`http://${pod!.ip}:8080/files`);
    assert.equal(files.body['db-password'].sha256, sha(password));
    assert.equal(files.body['db-password'].mode, '0400', 'not world-readable, not even group-readable');
    assert.equal(files.body['db-password'].uid, 1000);
    assert.deepEqual((await getJson(`http://${pod!.ip}:8080/config`)).body.config, JSON.parse(appConfig));
  });

  it('the restart reload rolls the Deployment once when the Secret changes, seen by the watch, through the RBAC of deploy/base', async function () {
    const { kubectl } = nodeCluster();
    // refresh 24h: a change that arrives at all came through the kubernetes provider's watch, not polling
    await applyWhenAdmitted(kubectl, sampleDeployment(NS, 'api', annotations({ 'bulwark.dev/reload': 'restart', 'bulwark.dev/refresh': '24h' })));
    const [first] = await waitReadyPods(kubectl, NS, 'app=api');
    const rotated = randomBytes(12).toString('hex');
    await kubectl.ok(['-n', NS, 'patch', 'secret', 'db', '--type=merge', '-p', JSON.stringify({ stringData: { password: rotated } })]);
    const [second] = await waitReadyPods(kubectl, NS, 'app=api', { exclude: [first!.uid], timeoutMs: 180_000 });
    assert.notEqual(second!.uid, first!.uid, 'a new pod replaced the old one');
    const files = await getJson(`http://${second!.ip}:8080/files`);
    assert.equal(files.body['db-password'].sha256, sha(rotated), 'the new pod has the new value');
    const dep = await kubectl.getJson('deployment', 'api', NS);
    const restartKeys = Object.keys(dep.spec.template.metadata.annotations ?? {}).filter((k) => /restart/i.test(k));
    assert.ok(restartKeys.length > 0, `the sidecar patched the pod template (${JSON.stringify(dep.spec.template.metadata.annotations)})`);
    const sets = JSON.parse(await kubectl.ok(['-n', NS, 'get', 'replicasets', '-l', 'app=api', '-o', 'json'])).items;
    assert.equal(sets.length, 2, 'one rollout: the first ReplicaSet and the restarted one');
    // put the value back for the other cases
    await kubectl.ok(['-n', NS, 'patch', 'secret', 'db', '--type=merge', '-p', JSON.stringify({ stringData: { password } })]);
  });

  /** The sample app as a batch step: load the config, exit 0 when it was there. */
  const batchTemplate = (app: string) => {
    const template = sampleAppTemplate(annotations(), { app });
    const tspec = template.spec as any;
    tspec.restartPolicy = 'Never';
    tspec.containers[0].args = ['--config', '/bulwark/app.json', '--exit-after-start'];
    delete tspec.containers[0].readinessProbe;
    return template;
  };

  it('a Job pod gets bulwark-init only and completes', async function () {
    const { kubectl } = nodeCluster();
    const template = batchTemplate('migrate');
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: NS }, spec: { backoffLimit: 0, template } };
    await applyWhenAdmitted(kubectl, job);
    const done = await waitFor(
      'Job migrate complete',
      async () => {
        const j = await kubectl.getJson('job', 'migrate', NS);
        if ((j?.status?.conditions ?? []).some((c: any) => c.type === 'Complete' && c.status === 'True')) return j;
        if ((j?.status?.conditions ?? []).some((c: any) => c.type === 'Failed' && c.status === 'True')) return j;
        const pods = await listPods(kubectl, NS, 'app=migrate');
        throw new Error(pods.map((p) => podStory(p.raw)).join('; ') || 'no pod yet');
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
    const [pod] = await listPods(kubectl, NS, 'app=migrate');
    assert.ok((done.status.conditions as any[]).some((c) => c.type === 'Complete'), `Job completed: ${pod ? podStory(pod.raw) : 'no pod'}`);
    assert.deepEqual(pod!.raw.spec.initContainers.map((c: any) => c.name), ['bulwark-init'], 'init-only for Job pods');
  });

  it("a CronJob's run completes with bulwark-init only", async function () {
    const { kubectl } = nodeCluster();
    const template = batchTemplate('nightly');
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: NS },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { backoffLimit: 0, template } } },
    };
    await applyWhenAdmitted(kubectl, cron);
    // one run now, from the CronJob's own template (what the CronJob controller creates at 03:00)
    await kubectl.ok(['-n', NS, 'create', 'job', 'nightly-now', '--from=cronjob/nightly']);
    await kubectl.ok(['-n', NS, 'wait', '--for=condition=complete', 'job/nightly-now', '--timeout=180s'], { timeoutMs: 190_000 }).catch(async (err) => {
      const pods = await listPods(kubectl, NS, 'app=nightly');
      throw new Error(`${(err as Error).message}: ${pods.map((p) => podStory(p.raw)).join('; ')}`);
    });
    const [pod] = await listPods(kubectl, NS, 'app=nightly');
    assert.deepEqual(pod!.raw.spec.initContainers.map((c: any) => c.name), ['bulwark-init']);
    assert.equal(pod!.raw.metadata.ownerReferences[0].name, 'nightly-now');
  });
});
