import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * How the REST API authorizes callers. IAM (SigV4) by default; opting out is explicit.
 *
 * A class with factory methods rather than a union, so it reads the same from Python and Java.
 */
export class ApiAuthorization {
  /** Callers sign requests with SigV4; grant them with `grantAppend()` / `grantRead()`. */
  public static iam(): ApiAuthorization {
    return new ApiAuthorization(apigateway.AuthorizationType.IAM);
  }

  /** No authorization: anyone who knows the URL can append and read. Use with care. */
  public static none(): ApiAuthorization {
    return new ApiAuthorization(apigateway.AuthorizationType.NONE);
  }

  /**
   * A Lambda (token or request) or Cognito user pools authorizer.
   * @param authorizer the authorizer to attach to every route
   * @param authorizationScopes OAuth scopes a Cognito access token must carry
   */
  public static authorizer(authorizer: apigateway.IAuthorizer, authorizationScopes?: string[]): ApiAuthorization {
    return new ApiAuthorization(authorizer.authorizationType ?? apigateway.AuthorizationType.CUSTOM, authorizer, authorizationScopes);
  }

  private constructor(
    /** The API Gateway authorization type of every route. */
    public readonly authorizationType: apigateway.AuthorizationType,
    /** The authorizer, for custom and Cognito authorization. */
    public readonly authorizerRef?: apigateway.IAuthorizer,
    /** OAuth scopes, for Cognito authorization. */
    public readonly authorizationScopes?: string[],
  ) {}
}
