/**
 * Recognises failures of the AWS SDK's default credential chain (web identity through IRSA on EKS,
 * static keys, profiles, instance metadata) and says what to configure, so that a pod without AWS
 * credentials fails with a message naming the missing setting instead of a bare "Error".
 */

/** The environment variables IRSA sets in every container of a pod whose service account names a role. */
export const WEB_IDENTITY_ENV = ['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'] as const;

/** STS error names of AssumeRoleWithWebIdentity that mean the token or the role's trust policy is wrong. */
const TOKEN_REJECTIONS = new Set(['InvalidIdentityTokenException', 'InvalidIdentityToken', 'IDPRejectedClaimException', 'IDPRejectedClaim']);

/** What went wrong while obtaining AWS credentials, as a message that tells the user what to change. */
export interface CredentialFailure {
  reason: 'no-credentials' | 'token-file' | 'token-rejected';
  message: string;
}

const IRSA_HINT = 'on EKS annotate the service account with eks.amazonaws.com/role-arn (IRSA), which sets AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE';

/**
 * Classifies an error thrown by an AWS SDK call as a credential failure, or returns undefined when
 * the store itself answered (those are mapped by awsError). Never includes the token or a key.
 */
export function credentialFailure(err: unknown, env: Record<string, string | undefined> = process.env): CredentialFailure | undefined {
  const e = (err ?? {}) as { name?: string; code?: string; syscall?: string; path?: string };
  const tokenFile = env.AWS_WEB_IDENTITY_TOKEN_FILE;
  if (tokenFile && e.syscall === 'open' && e.path === tokenFile) {
    return {
      reason: 'token-file',
      message: `cannot read the web identity token file ${tokenFile} named by AWS_WEB_IDENTITY_TOKEN_FILE (${e.code ?? 'error'}): mount the projected service-account token into this container (${IRSA_HINT})`,
    };
  }
  if (e.name === 'CredentialsProviderError') {
    const missing = WEB_IDENTITY_ENV.filter((v) => !env[v]);
    const partial = missing.length === 1 ? `; ${WEB_IDENTITY_ENV.find((v) => env[v])} is set but ${missing[0]} is not` : '';
    return {
      reason: 'no-credentials',
      message: `no AWS credentials found by the SDK's default chain${partial}: ${IRSA_HINT}, or provide AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`,
    };
  }
  if (e.name !== undefined && TOKEN_REJECTIONS.has(e.name)) {
    return {
      reason: 'token-rejected',
      message: `STS rejected the web identity token for ${env.AWS_ROLE_ARN ?? 'the role'} (${e.name}): the role's trust policy must name the cluster's OIDC provider and the pod's service account (system:serviceaccount:<namespace>:<name>)`,
    };
  }
  return undefined;
}
