import type { Node } from 'constructs';

/**
 * Every deploy-time option of the Messenger app, read once from CDK context (`cdk.json`, `-c key=value`).
 * docs/deploying.md lists them; this module is the one place that parses and validates them.
 */

/** An OIDC issuer that is not the stack's own Cognito user pool. */
export interface OidcSettings {
  /** The `iss` claim the authorizer accepts, e.g. `https://example.eu.auth0.com/`. */
  readonly issuer: string;
  /** The `aud` claim the authorizer accepts. */
  readonly audience: string;
  /** Where the issuer publishes its signing keys. */
  readonly jwksUrl: string;
}

export interface PushSettings {
  /** Secrets Manager secret with the APNs token-signing key; no APNs application when absent. */
  readonly apnsSecretName?: string;
  /** Create the APNs application against the sandbox gateway (`APNS_SANDBOX`) instead of `APNS`. */
  readonly apnsSandbox: boolean;
  /** Secrets Manager secret with the FCM service-account JSON; no FCM application when absent. */
  readonly fcmSecretName?: string;
}

export interface MessengerSettings {
  /** Name of the stack. @default `Messenger-<stage>` */
  readonly stackName: string;
  /** The WebSocket API stage. @default 'prod' */
  readonly stageName: string;
  /** A disposable stack: stateful resources are destroyed with it. @default false */
  readonly dev: boolean;
  /** An external JWT issuer; when absent the stack creates a Cognito user pool. */
  readonly oidc?: OidcSettings;
  readonly push: PushSettings;
  /** LOG_LEVEL of every function. @default 'info' */
  readonly logLevel: string;
  /** SNS topic that the alarms notify. @default - alarms without actions */
  readonly alarmTopicArn?: string;
  /** Stage-wide steady-state message rate (per second). @default 500 */
  readonly throttleRate: number;
  /** Stage-wide burst of messages. @default 1000 */
  readonly throttleBurst: number;
  /**
   * Set this region's API Gateway CloudWatch Logs role (`AWS::ApiGateway::Account`), which WebSocket access
   * logging requires. Turn off when the account already manages that role elsewhere. @default true
   */
  readonly manageApiGatewayAccount: boolean;
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

const text = (node: Node, key: string): string | undefined => {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new SettingsError(`Context ${key} must be a string`);
  return value;
};

/** `-c dev=true` arrives as the string 'true'; cdk.json may hold a real boolean. */
const flag = (node: Node, key: string, fallback: boolean): boolean => {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new SettingsError(`Context ${key} must be true or false`);
};

const positiveNumber = (node: Node, key: string, fallback: number): number => {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new SettingsError(`Context ${key} must be a positive number`);
  return parsed;
};

const httpsUrl = (key: string, value: string): string => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SettingsError(`Context ${key} must be a URL`);
  }
  if (url.protocol !== 'https:') throw new SettingsError(`Context ${key} must be an https URL`);
  return value;
};

const readOidc = (node: Node): OidcSettings | undefined => {
  const issuer = text(node, 'oidcIssuer');
  const audience = text(node, 'oidcAudience');
  const jwksUrl = text(node, 'oidcJwksUrl');
  if (issuer === undefined && audience === undefined && jwksUrl === undefined) return undefined;
  const missing = Object.entries({ oidcIssuer: issuer, oidcAudience: audience, oidcJwksUrl: jwksUrl })
    .filter(([, value]) => value === undefined)
    .map(([key]) => key);
  if (issuer === undefined || audience === undefined || jwksUrl === undefined) {
    throw new SettingsError(
      `An external OIDC issuer needs oidcIssuer, oidcAudience and oidcJwksUrl; missing ${missing.join(', ')}`,
    );
  }
  return { issuer: httpsUrl('oidcIssuer', issuer), audience, jwksUrl: httpsUrl('oidcJwksUrl', jwksUrl) };
};

export const readSettings = (node: Node): MessengerSettings => {
  const stageName = text(node, 'stage') ?? 'prod';
  if (!STAGE_NAME.test(stageName)) {
    throw new SettingsError('Context stage may hold only letters, digits, hyphens and underscores (1-128)');
  }
  const logLevel = (text(node, 'logLevel') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel))
    throw new SettingsError(`Context logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    stackName: text(node, 'stackName') ?? `Messenger-${stageName}`,
    stageName,
    dev: flag(node, 'dev', false),
    oidc: readOidc(node),
    push: {
      apnsSecretName: text(node, 'apnsSecretName'),
      apnsSandbox: flag(node, 'apnsSandbox', false),
      fcmSecretName: text(node, 'fcmSecretName'),
    },
    logLevel,
    alarmTopicArn: text(node, 'alarmTopicArn'),
    throttleRate: positiveNumber(node, 'throttleRate', 500),
    throttleBurst: positiveNumber(node, 'throttleBurst', 1000),
    manageApiGatewayAccount: flag(node, 'manageApiGatewayAccount', true),
  };
};
