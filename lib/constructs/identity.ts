import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  type CfnUserPool,
  FeaturePlan,
  Mfa,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { OidcSettings } from '../messenger-settings';

export interface IdentityProps {
  /**
   * An existing OIDC issuer whose tokens the authorizer accepts.
   * @default - a Cognito user pool and app client of this stack
   */
  readonly oidc?: OidcSettings;
  /**
   * A disposable (dev) stack: the user pool is deleted with the stack.
   * @default false - the user pool and its users outlive the stack
   */
  readonly dev?: boolean;
}

/**
 * Who issues the JWTs that open a connection: the three values the authorizer reads (JWT_ISSUER,
 * JWT_AUDIENCE, JWKS_URL), from this stack's Cognito user pool or from an external OIDC issuer.
 */
export class Identity extends Construct {
  static readonly USER_POOL_LOGICAL_ID = 'UserPool';

  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** Present when the stack hosts its own issuer. */
  readonly userPool?: UserPool;
  readonly userPoolClient?: UserPoolClient;

  constructor(scope: Construct, id: string, props: IdentityProps = {}) {
    super(scope, id);
    if (props.oidc) {
      this.issuer = props.oidc.issuer;
      this.audience = props.oidc.audience;
      this.jwksUrl = props.oidc.jwksUrl;
      return;
    }
    const dev = props.dev ?? false;
    const userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: !dev,
      removalPolicy: dev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    (userPool.node.defaultChild as CfnUserPool).overrideLogicalId(Identity.USER_POOL_LOGICAL_ID);
    // A public client (browser, mobile): no secret, SRP sign-in. Its ID token carries `aud` = client id,
    // which is the audience the authorizer checks; Cognito access tokens carry no `aud`.
    const userPoolClient = userPool.addClient('AppClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    Validations.of(userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is offered (TOTP, optional) but not forced: a consumer chat app lets each user choose; the connection itself is still authenticated by a verified JWT.',
      },
      {
        id: 'AwsSolutions-COG3',
        reason:
          'Threat protection (advanced security) needs the Cognito Plus feature plan, a per-user cost decision left to the operator; the Essentials plan is used.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan is a per-user cost decision left to the operator; Essentials covers sign-up, sign-in and token issuance.',
      },
    );
    this.userPool = userPool;
    this.userPoolClient = userPoolClient;
    this.issuer = `https://${userPool.userPoolProviderUrl}`;
    this.audience = userPoolClient.userPoolClientId;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
  }
}
