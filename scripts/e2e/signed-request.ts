/**
 * Requests for the contract suite: plain fetch, or signed with SigV4 for `execute-api` when the
 * API's routes use IAM authorization (with the AWS SDK's default credential chain unless given).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ContractRequest } from './contract';

export interface RequestOptions {
  /** The API's URL, ending with "/": paths are appended to it. */
  readonly baseUrl: string;
  /** Sign for this region (IAM authorization). @default - unsigned */
  readonly signingRegion?: string;
  /** @default - the AWS SDK's default chain (environment, profile, SSO, instance role…) */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Sent with every request, e.g. `Authorization: Bearer <JWT>` for Cognito or JWT authorization. */
  readonly headers?: Record<string, string>;
}

export function contractRequest(options: RequestOptions): ContractRequest {
  const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  const signer = options.signingRegion === undefined ? undefined : new SignatureV4({
    service: 'execute-api',
    region: options.signingRegion,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  return async (method, path, body, headers = {}) => {
    // The base's own path (a stage, a mounted resource) comes first: "/prod/" + "default/x".
    const url = new URL(`${base.pathname}${path.replace(/^\//, '')}`, base);
    let sent: Record<string, string> = { ...options.headers, ...headers };
    if (signer) {
      const signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...sent, host: url.host },
        body,
      });
      sent = signed.headers as Record<string, string>;
    }
    const response = await fetch(url, { method, body, headers: sent });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };
}
