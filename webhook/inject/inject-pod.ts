/**
 * The injection pipeline for one pod, pure: opt-in → annotations → typed config → validate against
 * documents and pod → build the sidecar spec → validateSpec → idempotency check → JSON Patch.
 * Used by the admission handler and by the offline CLI review.
 */
import type { ErrorCode } from '../errors.js';
import { validateSpec } from '../../sidecar/spec/schema.js';
import type { SidecarSpec } from '../../sidecar/spec/types.js';
import type { KubeObject, PatchOperation } from '../admission/types.js';
import { namespaceContext } from '../tenancy/resolve.js';
import { ANNOTATION_INJECT, ANNOTATION_RELOAD, ANNOTATION_STATUS } from './annotations.js';
import { suggestAnnotation, unknownAnnotationMessage } from './suggest.js';
import { isUnknownBulwarkKey, parseInjectionConfig } from './config.js';
import { decideFileOwner, type OwnerPodView } from './file-owner.js';
import { buildAppMount, buildInitContainer, buildSidecarContainer, buildVolume, type ContainerInputs } from './containers.js';
import { annotationTypeErrors, podAnnotations, podSpec, type InjectContext } from './context.js';
import { fieldError, formatDenial, type FieldError } from './field-error.js';
import { decideInitOnly, jobOwner, useNativeSidecar } from './native-sidecar.js';
import { decideOptIn, type SkipReason } from './opt-in.js';
import { buildPodPatch, planRemount } from './pod-patch.js';
import { resolveResources } from './resources.js';
import { buildSidecarSpec } from './spec-builder.js';
import { parseStatus, specHash, statusValue } from './status.js';
import { findClashes, hasBulwarkContainers, selectTargets } from './targets.js';
import { findWorkloadIdentity } from './workload-identity.js';
import { planCredentialMounts, unmountedStoreFiles } from './credential-mounts.js';
import { validateReferences } from './validate.js';
import { isTenancyCode } from '../tenancy/codes.js';
import { tenantQuotaErrors } from './tenant-quota.js';
import { sidecarSizeLimits } from '../config/options.js';

/** Why a pod was not injected, including the case of a pod that names no files. */
export type InjectSkipReason = SkipReason | 'no-files';

/** The outcome of injectPod; `result` is also the metric label. */
export type InjectionResult =
  | { result: 'injected'; patch: PatchOperation[]; spec: SidecarSpec; hash: string; native: boolean; warnings: string[] }
  | { result: 'skipped'; reason: InjectSkipReason; warnings: string[] }
  /** Re-invocation of an injected pod: only read-only mounts for app containers added since (by later webhooks). */
  | { result: 'remounted'; patch: PatchOperation[]; containers: string[]; warnings: string[] }
  | { result: 'denied'; errors: FieldError[]; message: string; code: number; reason: string; warnings: string[] }
  | { result: 'error'; code: ErrorCode; message: string; problems: string[]; warnings: string[] };

/** Largest spec JSON placed in BULWARK_SPEC: below Linux's 128 KiB limit on one environment string. */
export const MAX_SPEC_BYTES = 96 * 1024;

/** Denials for bad input answer 400 BadRequest; denials that are only tenancy refusals answer 403 Forbidden. */
export function denialStatus(errors: FieldError[]): { code: number; reason: string } {
  return errors.every((e) => e.code === 'STORE_FORBIDDEN' || isTenancyCode(e.code)) ? { code: 403, reason: 'Forbidden' } : { code: 400, reason: 'BadRequest' };
}

function deny(errors: FieldError[], warnings: string[], tenant?: string): InjectionResult {
  return { result: 'denied', errors, message: formatDenial(errors, tenant), ...denialStatus(errors), warnings };
}

/** A pod that does not opt in but carries mistyped bulwark.dev keys (`bulwark.dev/injct`) hears about them. */
function strayAnnotationWarnings(annotations: Record<string, string>): string[] {
  return Object.keys(annotations)
    .filter((k) => isUnknownBulwarkKey(k) && suggestAnnotation(k) !== undefined)
    .map((k) => `${unknownAnnotationMessage(k)}; the pod is not injected`);
}

/** Decides and builds the injection for one pod; never throws for bad input, never performs I/O. */
export function injectPod(pod: KubeObject, ctx: InjectContext): InjectionResult {
  if (ctx.operation === 'UPDATE') return { result: 'skipped', reason: 'update', warnings: [] };
  const annotations = podAnnotations(pod);
  const optIn = decideOptIn(annotations, ctx.namespace, ctx.namespaceInfo, ctx.options.ownNamespace);
  if ('reason' in optIn && optIn.reason === 'excluded-namespace') return { result: 'skipped', reason: optIn.reason, warnings: [] };
  const typeErrors = annotationTypeErrors(pod);
  if (typeErrors.length) return deny(typeErrors, []);
  if ('inject' in optIn && !optIn.inject) return { result: 'skipped', reason: optIn.reason, warnings: strayAnnotationWarnings(annotations) };

  const parsed = parseInjectionConfig(annotations);
  const { config } = parsed;
  const warnings = [...parsed.warnings];
  const errors: FieldError[] = 'error' in optIn ? [optIn.error, ...parsed.errors] : [...parsed.errors];
  if (errors.length === 0 && config.files.length === 0) return { result: 'skipped', reason: 'no-files', warnings };

  const native = useNativeSidecar(ctx.options.nativeSidecar, ctx.serverVersion);
  const init = decideInitOnly(config.initOnly, jobOwner(pod) !== undefined, native);
  if (init.warning) warnings.push(init.warning);

  const nsInfo = ctx.namespaceInfo ?? { name: ctx.namespace, labels: {}, annotations: {} };
  const { tenant, environment } = namespaceContext(ctx.docs, nsInfo);
  const tenantDoc = tenant ? ctx.docs.tenants.get(tenant) : undefined;
  const refs = validateReferences(config, ctx.docs, { namespace: ctx.namespace, tenant, tenantDoc }, ctx.objects);
  warnings.push(...refs.warnings);
  const spec = podSpec(pod);
  if ((spec as { os?: { name?: unknown } }).os?.name === 'windows') {
    // Bulwark's sidecar is a Linux image, and the apiserver refuses its Linux security context in a
    // Windows pod: never turn a valid pod into an invalid one, say why instead.
    const msg = `the pod runs on Windows (spec.os.name: windows) and Bulwark's sidecar is a Linux container; remove ${ANNOTATION_INJECT} (or set it to "false") and deliver its files another way`;
    errors.push(fieldError('ANNOTATION_INVALID', 'spec.os.name', msg));
  }
  const targets = selectTargets(spec, config.containers);
  const resources = resolveResources(ctx.options, config.resources);
  errors.push(...refs.errors, ...targets.errors, ...resources.errors);
  if (tenant) errors.push(...tenantQuotaErrors(tenant, tenantDoc?.spec.quotas, ctx.tenantInjectedPods));
  if (errors.length) return deny(errors, warnings, tenant);

  const sidecarSpec = buildSidecarSpec(config, {
    namespace: ctx.namespace,
    pod,
    tenant,
    environment,
    stores: refs.stores,
    schemas: refs.schemas,
    initOnly: init.initOnly,
    fetchBudgetPerMinute: tenantDoc?.spec.quotas?.fetchesPerMinute,
    limits: sidecarSizeLimits(ctx.options.volumeSizeLimit, ctx.options.maxFileBytes),
  });
  const problems = validateSpec(sidecarSpec);
  if (problems.length) {
    return { result: 'error', code: 'SPEC_INVALID', message: `the sidecar spec built for this pod is invalid: ${problems.join('; ')}; check the SecretStore and ConfigSchema documents it uses`, problems, warnings };
  }
  const specJson = JSON.stringify(sidecarSpec);
  const size = Buffer.byteLength(specJson);
  if (size > MAX_SPEC_BYTES) {
    const msg = `the sidecar spec for this pod is ${size} bytes, above the limit of ${MAX_SPEC_BYTES}; shorten the templates or schemas, or split the files across pods`;
    return deny([fieldError('ANNOTATION_INVALID', 'metadata.annotations', msg)], warnings, tenant);
  }
  const hash = specHash(specJson);
  const recorded = parseStatus(annotations[ANNOTATION_STATUS]);
  if (recorded === hash) {
    // Re-invoked after other webhooks: app containers they added get the read-only mount (idempotent).
    const remount = planRemount(spec, config.containers, config.mountPath);
    warnings.push(...remount.warnings);
    if (remount.patch.length) return { result: 'remounted', patch: remount.patch, containers: remount.containers, warnings };
    return { result: 'skipped', reason: 'already-injected', warnings };
  }
  if (recorded !== undefined && hasBulwarkContainers(spec)) {
    warnings.push('the pod was injected with a different sidecar spec; its bulwark.dev annotations changed after injection and take effect when the pod is recreated');
    return { result: 'skipped', reason: 'already-injected', warnings };
  }
  const clashes = findClashes(spec, config.mountPath, targets.targets);
  if (clashes.length) return deny(clashes, warnings, tenant);

  if (init.initOnly && config.reload.some((s) => s.type !== 'none')) {
    warnings.push(`${ANNOTATION_RELOAD} has no effect: the pod is init-only, so files are written once and never reloaded`);
  }
  const credentials = planCredentialMounts(spec, sidecarSpec, refs.storeVolumes);
  warnings.push(...credentials.warnings);
  for (const f of unmountedStoreFiles(sidecarSpec, refs.storeVolumes)) {
    warnings.push(`${f} is not under any of that store's spec.volumes, so Bulwark's containers will not find it; add a volume with that mountPath to the store`);
  }
  const owner = decideFileOwner(spec as OwnerPodView, targets.targets);
  if (owner.warning) warnings.push(owner.warning);
  const inputs: ContainerInputs = {
    user: { runAsUser: owner.runAsUser, runAsGroup: owner.runAsGroup },
    image: ctx.options.sidecarImage,
    specJson,
    resources: resources.value,
    mountPath: config.mountPath,
    credentialMounts: credentials.mounts,
    identity: findWorkloadIdentity((spec as { containers?: Parameters<typeof findWorkloadIdentity>[0] }).containers ?? []),
  };
  const runSidecar = !init.initOnly;
  const hostNetwork = (spec as { hostNetwork?: unknown }).hostNetwork === true;
  const patch = buildPodPatch(pod, {
    initContainers: [buildInitContainer(inputs), ...(runSidecar && native ? [buildSidecarContainer(inputs, true, hostNetwork)] : [])],
    containers: runSidecar && !native ? [buildSidecarContainer(inputs, false, hostNetwork)] : [],
    volumes: [buildVolume(ctx.options.volumeSizeLimit), ...credentials.volumes],
    targets: targets.targets,
    mount: buildAppMount(config.mountPath),
    shareProcessNamespace: runSidecar && config.reload.some((s) => s.type === 'signal'),
    annotations: { [ANNOTATION_STATUS]: statusValue(hash) },
  });
  return { result: 'injected', patch, spec: sidecarSpec, hash, native, warnings };
}
