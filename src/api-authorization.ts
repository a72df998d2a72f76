import { Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';

/**
 * How the API authorizes callers. IAM (SigV4) by default; opting out is explicit. `iam()`,
 * `none()` and `cognito()` work with both API kinds; `authorizer()` only with a REST API, `jwt()`
 * and `httpAuthorizer()` only with an HTTP API (a synth error names `api.authorization` otherwise).
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
   * A Lambda (token or request) or Cognito user pools authorizer of a REST API.
   * @param authorizer the authorizer to attach to every route
   * @param authorizationScopes OAuth scopes a Cognito access token must carry
   */
  public static authorizer(authorizer: apigateway.IAuthorizer, authorizationScopes?: string[]): ApiAuthorization {
    return new ApiAuthorization(authorizer.authorizationType ?? apigateway.AuthorizationType.CUSTOM, authorizer, authorizationScopes);
  }

  /**
   * Callers send a token of a Cognito user pool in the `Authorization` header: an ID token, or
   * with `scopes` an access token that carries at least one of them (scopes come from a resource
   * server of the pool). A REST API gets a Cognito user pools authorizer of its own. An HTTP API
   * gets a JWT authorizer for the pool's issuer, which also checks the token's audience: it
   * needs `userPoolClients`, the app clients whose tokens are accepted.
   * @param userPool the user pool whose tokens are accepted
   * @param scopes OAuth scopes, one of which an access token must carry
   * @param userPoolClients the app clients whose tokens an HTTP API accepts (required there; a REST API does not check them)
   */
  public static cognito(userPool: cognito.IUserPool, scopes?: string[], userPoolClients?: cognito.IUserPoolClient[]): ApiAuthorization {
    checkScopes('cognito', scopes, 'leave scopes out to accept ID tokens');
    if (userPoolClients !== undefined && userPoolClients.length === 0) {
      throw new Error('ApiAuthorization.cognito() userPoolClients must name at least one app client; leave it out on a REST API.');
    }
    return new ApiAuthorization(apigateway.AuthorizationType.COGNITO, undefined, scopes, userPool, userPoolClients);
  }

  /**
   * HTTP API only: callers send a JWT in the `Authorization` header, issued by `issuer` (an
   * OpenID Connect issuer URL, whose discovery document API Gateway reads) for one of `audience`
   * (its `aud`, or for an access token without `aud`, its `client_id`), and with `scopes` carrying
   * at least one of them.
   * @param issuer the issuer URL, e.g. `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc` or `https://example.auth0.com/`
   * @param audience the audiences (client ids) a token may be for
   * @param scopes OAuth scopes, one of which a token must carry
   */
  public static jwt(issuer: string, audience: string[], scopes?: string[]): ApiAuthorization {
    if (typeof issuer !== 'string' || (!Token.isUnresolved(issuer) && !/^https:\/\/\S+$/.test(issuer))) {
      throw new Error(`ApiAuthorization.jwt() issuer "${issuer}" must be an https:// URL (API Gateway reads its OpenID discovery document).`);
    }
    if (!Array.isArray(audience) || audience.length === 0 || audience.some((a) => typeof a !== 'string' || a.trim() === '')) {
      throw new Error('ApiAuthorization.jwt() audience must name at least one client id, each a non-empty string.');
    }
    checkScopes('jwt', scopes, 'leave scopes out to accept any token of the audience');
    return new ApiAuthorization(apigateway.AuthorizationType.CUSTOM, undefined, scopes, undefined, undefined, { issuer, audience });
  }

  /**
   * HTTP API only: an authorizer of `aws-cdk-lib/aws-apigatewayv2-authorizers`, for instance an
   * `HttpLambdaAuthorizer`, on every route.
   * @param authorizer the route authorizer
   * @param authorizationScopes OAuth scopes a JWT must carry, for JWT authorizers
   */
  public static httpAuthorizer(authorizer: apigwv2.IHttpRouteAuthorizer, authorizationScopes?: string[]): ApiAuthorization {
    checkScopes('httpAuthorizer', authorizationScopes, 'leave them out');
    return new ApiAuthorization(apigateway.AuthorizationType.CUSTOM, undefined, authorizationScopes, undefined, undefined, undefined, authorizer);
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
    /** The app clients whose tokens an HTTP API accepts, for `cognito()`. */
    public readonly userPoolClients?: cognito.IUserPoolClient[],
    /** The issuer and audiences, for `jwt()`. */
    public readonly jwtIssuer?: JwtIssuer,
    /** The HTTP API route authorizer, for `httpAuthorizer()`. */
    public readonly httpRouteAuthorizer?: apigwv2.IHttpRouteAuthorizer,
  ) {}
}

/**
 * Who issues the JWTs an HTTP API accepts, and for whom.
 */
export interface JwtIssuer {
  /** The issuer URL. */
  readonly issuer: string;
  /** The audiences (client ids) a token may be for. */
  readonly audience: string[];
}

function checkScopes(factory: string, scopes: string[] | undefined, otherwise: string): void {
  if (scopes !== undefined && (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((scope) => typeof scope !== 'string' || scope.trim() === ''))) {
    throw new Error(`ApiAuthorization.${factory}() scopes must be non-empty strings; ${otherwise}.`);
  }
}
