/**
 * Environment, read once per process. The CDK stack and the local runtime set the same names.
 */

export class MissingConfigError extends Error {
  constructor(readonly variable: string) {
    super(`Environment variable ${variable} is not set`);
    this.name = 'MissingConfigError';
  }
}

const required = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new MissingConfigError(name);
  return value;
};

const optional = (name: string): string | undefined => {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
};

/** Names of the environment variables, shared with lib/ and local/. */
export const ENV = {
  tableName: 'TABLE_NAME',
  /** Override of the DynamoDB endpoint (DynamoDB Local); unset in AWS. */
  dynamoDbEndpoint: 'DYNAMODB_ENDPOINT',
  /** The @connections management endpoint: the stage's callback URL. */
  connectionsEndpoint: 'CONNECTIONS_ENDPOINT',
  /** Override of the SNS endpoint (the local stand-in); unset in AWS. */
  snsEndpoint: 'SNS_ENDPOINT',
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
  jwksUrl: 'JWKS_URL',
  logLevel: 'LOG_LEVEL',
  /** JSON map of push platform (APNS, APNS_SANDBOX, GCM) to SNS platform application ARN; '{}' = push off. */
  pushPlatformApplications: 'PUSH_PLATFORM_APPLICATIONS',
  /** Seconds within which notifications to one offline user's device for one conversation are coalesced. */
  pushCoalesceSeconds: 'PUSH_COALESCE_SECONDS',
} as const;

export const tableConfig = () => ({
  tableName: required(ENV.tableName),
  endpoint: optional(ENV.dynamoDbEndpoint),
});

export const connectionsConfig = () => ({
  endpoint: required(ENV.connectionsEndpoint),
});

export const snsConfig = () => ({
  endpoint: optional(ENV.snsEndpoint),
});

export const pushConfig = () => {
  const raw = optional(ENV.pushPlatformApplications) ?? '{}';
  let platformApplications: Record<string, string>;
  try {
    platformApplications = JSON.parse(raw) as Record<string, string>;
  } catch (cause) {
    throw new Error(`${ENV.pushPlatformApplications} is not a JSON object`, { cause });
  }
  const coalesce = Number(optional(ENV.pushCoalesceSeconds) ?? '30');
  return {
    platformApplications,
    coalesceSeconds: Number.isFinite(coalesce) && coalesce >= 0 ? coalesce : 30,
  };
};

export const authConfig = () => ({
  issuer: required(ENV.jwtIssuer),
  audience: required(ENV.jwtAudience),
  jwksUrl: required(ENV.jwksUrl),
});
