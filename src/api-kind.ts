/**
 * Which API Gateway API is the front door. Both serve the same routes, headers and status codes.
 */
export enum ApiKind {
  /**
   * A REST API (API Gateway v1): API keys and usage plans, Lambda and Cognito authorizers,
   * per-method settings.
   */
  REST = 'REST',
  /**
   * An HTTP API (API Gateway v2): cheaper per request and lower latency; IAM, JWT (Cognito or any
   * OpenID issuer) or Lambda authorization; no API keys.
   */
  HTTP = 'HTTP',
}
