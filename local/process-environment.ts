import { ENV } from '../lambdas/shared/config';

export interface RuntimeEndpoints {
  readonly tableName: string;
  readonly dynamoDbEndpoint: string;
  readonly connectionsEndpoint: string;
  readonly snsEndpoint: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly jwksUrl: string;
  /** Push platform (APNS, APNS_SANDBOX, GCM) to SNS platform application ARN. */
  readonly pushPlatformApplications: Record<string, string>;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The variables the Lambda handlers read: the names CDK sets in AWS, with local values. */
export const handlerEnvironment = (endpoints: RuntimeEndpoints): Record<string, string> => ({
  [ENV.tableName]: endpoints.tableName,
  [ENV.dynamoDbEndpoint]: endpoints.dynamoDbEndpoint,
  [ENV.connectionsEndpoint]: endpoints.connectionsEndpoint,
  [ENV.snsEndpoint]: endpoints.snsEndpoint,
  [ENV.jwtIssuer]: endpoints.jwtIssuer,
  [ENV.jwtAudience]: endpoints.jwtAudience,
  [ENV.jwksUrl]: endpoints.jwksUrl,
  [ENV.pushPlatformApplications]: JSON.stringify(endpoints.pushPlatformApplications),
  AWS_REGION: endpoints.region,
  AWS_DEFAULT_REGION: endpoints.region,
  AWS_ACCESS_KEY_ID: endpoints.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: endpoints.credentials.secretAccessKey,
});

/**
 * Sets variables on process.env and puts the previous values back on restore. process.env is one per
 * process, hence one runtime per process.
 */
export class EnvironmentOverride {
  private readonly previous = new Map<string, string | undefined>();

  apply(values: Record<string, string>, remove: readonly string[] = []): void {
    for (const [name, value] of Object.entries(values)) {
      if (!this.previous.has(name)) this.previous.set(name, process.env[name]);
      process.env[name] = value;
    }
    for (const name of remove) {
      if (!this.previous.has(name)) this.previous.set(name, process.env[name]);
      delete process.env[name];
    }
  }

  restore(): void {
    for (const [name, value] of this.previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.previous.clear();
  }
}
