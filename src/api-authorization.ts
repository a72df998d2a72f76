import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';

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

  /**
   * Callers send a token of a Cognito user pool in the `Authorization` header: an ID token, or
   * with `scopes` an access token that carries at least one of them (scopes come from a resource
   * server of the pool). The API gets a Cognito user pools authorizer of its own.
   * @param userPool the user pool whose tokens are accepted
   * @param scopes OAuth scopes, one of which an access token must carry
   */
  public static cognito(userPool: cognito.IUserPool, scopes?: string[]): ApiAuthorization {
    if (scopes !== undefined && (scopes.length === 0 || scopes.some((scope) => typeof scope !== 'string' || scope.trim() === ''))) {
      throw new Error('ApiAuthorization.cognito() scopes must be non-empty strings; leave scopes out to accept ID tokens.');
    }
    return new ApiAuthorization(apigateway.AuthorizationType.COGNITO, undefined, scopes, userPool);
  }

  private constructor(
    /** The API Gateway authorization type of every route. */
    public readonly authorizationType: apigateway.AuthorizationType,
    /** The authorizer, for custom and Cognito authorization. */
    public readonly authorizerRef?: apigateway.IAuthorizer,
    /** OAuth scopes, for Cognito authorization. */
    public readonly authorizationScopes?: string[],
    /** The user pool, for `cognito()`: the API makes its authorizer. */
    public readonly userPool?: cognito.IUserPool,
  ) {}
}
