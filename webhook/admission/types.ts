/**
 * The admission.k8s.io/v1 types Bulwark reads and writes, and the decision a handler returns.
 */

/** The only AdmissionReview apiVersion Bulwark speaks. */
export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
/** The kind of every review document. */
export const ADMISSION_KIND = 'AdmissionReview';

/** A group/version/kind triple as the apiserver sends it. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The user who made the request. */
export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion?: string; kind: string; name: string; uid?: string; controller?: boolean }>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** The operations an admission request can carry. */
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** The request part of an AdmissionReview. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  requestKind?: GroupVersionKind;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: UserInfo;
  object?: KubeObject | null;
  oldObject?: KubeObject | null;
  dryRun?: boolean;
  options?: unknown;
}

/** The response part of an AdmissionReview. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code?: number; reason?: string; message?: string; status?: 'Success' | 'Failure' };
  patch?: string;
  patchType?: 'JSONPatch';
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/** A whole AdmissionReview document. */
export interface AdmissionReview {
  apiVersion: string;
  kind: string;
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

/** One RFC 6902 JSON Patch operation. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: unknown;
  from?: string;
}

/** What a handler decided: allowed (maybe with a patch and warnings) or denied with a reason. */
export type Decision =
  | { allowed: true; patch?: PatchOperation[]; warnings?: string[]; auditAnnotations?: Record<string, string> }
  | {
      allowed: false;
      code: number;
      reason: string;
      message: string;
      warnings?: string[];
      auditAnnotations?: Record<string, string>;
    };
