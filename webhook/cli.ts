#!/usr/bin/env node
/**
 * The `bulwark` command: serve (the webhook), certs (a CA and serving certificate), review (offline
 * mutate-then-validate of manifests, for CI/CD pipelines), tenants (tenants, prefixes, quotas, grants),
 * rbac (the least-privilege Role and RoleBinding of each workload's sidecar).
 */
import { Command, Option } from 'commander';
import { serveCommand } from './commands/serve.js';
import { certsCommand } from './commands/certs.js';
import { reviewCommand } from './commands/review.js';
import { tenantsCommand } from './commands/tenants.js';
import { rbacCommand } from './commands/rbac.js';
import { SETTINGS } from './config/options.js';

const program = new Command();
program
  .name('bulwark')
  .description('Kubernetes admission webhook and sidecar injector that keeps configuration and secrets honest')
  .version('0.1.0')
  .showHelpAfterError()
  // Usage errors are bad input: exit 2, like every other bad input; help and version exit 0.
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

const serve = program.command('serve').description('run the admission webhook (HTTPS: /mutate, /validate, /healthz, /readyz, /metrics)');
for (const s of SETTINGS) {
  const arg = s.type === 'boolean' ? '' : ' <value>';
  serve.addOption(new Option(`${s.flag}${arg}`, `${s.doc} [env ${s.env}${s.default !== undefined ? `, default ${String(s.default)}` : ''}]`));
}
serve.action(async (flags: Record<string, unknown>) => {
  const code = await serveCommand(flags);
  // A failed start exits at once: policy watchers, caches and the controllers' leader election were
  // already running and would keep the process alive with nothing listening.
  if (code !== 0) process.exit(code);
});

program
  .command('certs')
  .description('write a CA (ca.crt, ca.key) and a serving certificate (tls.crt, tls.key) for the webhook Service')
  .requiredOption('--out <dir>', 'directory to write into')
  .requiredOption('--hosts <names>', 'comma-separated DNS names and IP addresses, e.g. bulwark.bulwark-system.svc,127.0.0.1')
  .option('--days <n>', 'validity of the serving certificate in days', '365')
  .action(async (flags: { out: string; hosts: string; days: string }) => {
    process.exitCode = await certsCommand(flags);
  });

program
  .command('review')
  .description('run manifests through the same mutate-then-validate code as the webhook; exit 0 all allowed, 1 any denied, 2 bad input')
  .argument('<inputs...>', 'files, directories or - for standard input')
  .option('--policies <dir>', 'directory of Bulwark documents', 'policies')
  .option('--namespaces <file>', 'Namespace objects (labels give environment and tenant); default <policies>/namespaces.yaml if present')
  .addOption(new Option('--output <format>', 'output format').choices(['text', 'json', 'sarif', 'junit']).default('text'))
  .option('--namespace <name>', 'namespace of objects that do not set one', 'default')
  .option('--server-version <major.minor>', 'Kubernetes version to assume for injection decisions', '1.33')
  .action(async (inputs: string[], flags: Record<string, string>) => {
    process.exitCode = await reviewCommand(inputs, flags);
  });

program
  .command('tenants')
  .description('list tenants: namespaces, stores and path prefixes, quotas, and the sharing grants they give and receive')
  .option('--policies <dir>', 'directory of Bulwark documents', 'policies')
  .option('--namespaces <file>', 'Namespace objects (labels give tenant); default <policies>/namespaces.yaml if present')
  .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
  .action(async (flags: { policies: string; namespaces?: string; output: string }) => {
    process.exitCode = await tenantsCommand(flags);
  });

program
  .command('rbac')
  .description("print the least-privilege Role and RoleBinding of each workload's sidecar (resourceNames of its ConfigMaps and Secrets, patch on its own workload for reload restart); exit 1 if injection denies one, 2 bad input")
  .argument('<inputs...>', 'workload manifests (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod; injected pods use their own spec): files, directories or -')
  .option('--policies <dir>', 'directory of Bulwark documents', 'policies')
  .option('--namespaces <file>', 'Namespace objects (labels give environment and tenant); default <policies>/namespaces.yaml if present')
  .option('--namespace <name>', 'namespace of objects that do not set one', 'default')
  .option('--server-version <major.minor>', 'Kubernetes version to assume for injection decisions', '1.33')
  .addOption(new Option('--output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
  .action(async (inputs: string[], flags: Record<string, string>) => {
    process.exitCode = await rbacCommand(inputs, flags);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`bulwark: ${(err as Error).message}\n`);
  process.exitCode = 2;
});
