/**
 * Label and annotation keys that Bulwark reads on namespaces and objects, built from one prefix.
 * Pod injection annotations live in inject/annotations.ts.
 */

/** The prefix of every Bulwark label and annotation. */
export const PREFIX = 'bulwark.dev/';

/** Namespace label: the environment (dev, staging, prod, ...). */
export const LABEL_ENVIRONMENT = `${PREFIX}environment`;
/** Namespace label (and object label): the tenant. */
export const LABEL_TENANT = `${PREFIX}tenant`;
/** Namespace label: "enabled" opts every pod of the namespace into injection. */
export const LABEL_INJECT = `${PREFIX}inject`;
/** Object label: "true" marks a ConfigMap or Secret as managed (immutable data). */
export const LABEL_MANAGED = `${PREFIX}managed`;
/** Object label: the configuration version of a ConfigMap (an integer). */
export const LABEL_VERSION = `${PREFIX}version`;
/** Object annotation: the ConfigSchema for the whole object, or "key=schema,key2=schema2". */
export const ANNOTATION_SCHEMA = `${PREFIX}schema`;
/** Object annotation: the content format of keys whose suffix does not tell. */
export const ANNOTATION_FORMAT = `${PREFIX}format`;
/** Workload annotation: required config versions, e.g. "app-config>=2". */
export const ANNOTATION_REQUIRES_CONFIG = `${PREFIX}requires-config`;
/** Pod annotation written by injection: status and spec hash. */
export const ANNOTATION_STATUS = `${PREFIX}status`;
