import {
  CreatePlatformApplicationCommand,
  DeletePlatformApplicationCommand,
  SetPlatformApplicationAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';

/**
 * Custom resource `Custom::SnsPlatformApplication`: an SNS platform application (APNs or FCM) whose
 * credentials are read from Secrets Manager here, at deploy time. CloudFormation does not resolve
 * secret references in custom resource properties, and passing the credentials through the template or
 * another custom resource's output would expose them; so the function reads the secret itself and never
 * logs it. The resource's physical id is the application's ARN.
 */

export type PushPlatform = 'APNS' | 'APNS_SANDBOX' | 'GCM';

export interface PlatformApplicationProperties {
  /** Application name: letters, digits, hyphens, underscores and periods. */
  readonly Name: string;
  readonly Platform: PushPlatform;
  /** Name or ARN of the secret that holds the credentials. */
  readonly SecretId: string;
}

export interface PlatformApplicationResult {
  readonly PhysicalResourceId: string;
  readonly Data?: { Arn: string };
}

export interface ProviderDependencies {
  readonly sns: Pick<SNSClient, 'send'>;
  readonly readSecret: (secretId: string) => Promise<string>;
}

/** The secret's content as SNS wants it. APNs: token-based auth with a .p8 signing key. FCM: HTTP v1. */
export const platformAttributes = (platform: PushPlatform, secret: string): Record<string, string> => {
  if (platform === 'GCM') {
    // The service-account JSON key file, stored as the secret's whole value.
    return { PlatformCredential: secret };
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(secret) as Record<string, unknown>;
  } catch {
    throw new Error('The APNs secret must be a JSON object with signingKey, keyId, teamId and bundleId');
  }
  const fields = ['signingKey', 'keyId', 'teamId', 'bundleId'] as const;
  const missing = fields.filter((field) => typeof parsed[field] !== 'string' || parsed[field] === '');
  if (missing.length > 0) throw new Error(`The APNs secret lacks ${missing.join(', ')}`);
  return {
    PlatformCredential: parsed.signingKey as string,
    PlatformPrincipal: parsed.keyId as string,
    ApplePlatformTeamID: parsed.teamId as string,
    ApplePlatformBundleID: parsed.bundleId as string,
  };
};

const propertiesOf = (properties: Record<string, unknown>): PlatformApplicationProperties => {
  const { Name, Platform, SecretId } = properties;
  if (typeof Name !== 'string' || typeof SecretId !== 'string')
    throw new Error('Name and SecretId are required');
  if (Platform !== 'APNS' && Platform !== 'APNS_SANDBOX' && Platform !== 'GCM') {
    throw new Error('Platform must be APNS, APNS_SANDBOX or GCM');
  }
  return { Name, Platform, SecretId };
};

const create = async (props: PlatformApplicationProperties, deps: ProviderDependencies) => {
  const attributes = platformAttributes(props.Platform, await deps.readSecret(props.SecretId));
  const created = await deps.sns.send(
    new CreatePlatformApplicationCommand({
      Name: props.Name,
      Platform: props.Platform,
      Attributes: attributes,
    }),
  );
  if (!created.PlatformApplicationArn) throw new Error('SNS returned no PlatformApplicationArn');
  return {
    PhysicalResourceId: created.PlatformApplicationArn,
    Data: { Arn: created.PlatformApplicationArn },
  };
};

export const onEvent = async (
  event: CloudFormationCustomResourceEvent,
  deps: ProviderDependencies,
): Promise<PlatformApplicationResult> => {
  switch (event.RequestType) {
    case 'Create':
      return create(propertiesOf(event.ResourceProperties), deps);
    case 'Update': {
      const next = propertiesOf(event.ResourceProperties);
      const previous = event.OldResourceProperties;
      // A new name or platform is a new application; CloudFormation then deletes the old one.
      if (next.Name !== previous.Name || next.Platform !== previous.Platform) return create(next, deps);
      const attributes = platformAttributes(next.Platform, await deps.readSecret(next.SecretId));
      await deps.sns.send(
        new SetPlatformApplicationAttributesCommand({
          PlatformApplicationArn: event.PhysicalResourceId,
          Attributes: attributes,
        }),
      );
      return { PhysicalResourceId: event.PhysicalResourceId, Data: { Arn: event.PhysicalResourceId } };
    }
    case 'Delete': {
      // A failed create leaves a physical id that is not an ARN: nothing to delete then.
      if (event.PhysicalResourceId.startsWith('arn:')) {
        try {
          await deps.sns.send(
            new DeletePlatformApplicationCommand({ PlatformApplicationArn: event.PhysicalResourceId }),
          );
        } catch (error) {
          if ((error as { name?: string }).name !== 'NotFoundException') throw error;
        }
      }
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
  }
};

interface SecretsManagerModule {
  SecretsManagerClient: new () => { send(command: unknown): Promise<{ SecretString?: string }> };
  GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
}

/**
 * Secrets Manager through the AWS SDK that the nodejs22.x runtime ships (this function is bundled as
 * CommonJS with the SDK left external), so the repository needs no Secrets Manager client of its own.
 */
const readSecretFromSecretsManager = async (secretId: string): Promise<string> => {
  const { SecretsManagerClient, GetSecretValueCommand } =
    require('@aws-sdk/client-secrets-manager') as SecretsManagerModule;
  const { SecretString } = await new SecretsManagerClient().send(
    new GetSecretValueCommand({ SecretId: secretId }),
  );
  if (!SecretString) throw new Error('The secret has no string value');
  return SecretString;
};

let defaults: ProviderDependencies | undefined;

/** Sends the outcome to CloudFormation's pre-signed URL; a custom resource fails only by saying so. */
const respond = async (
  event: CloudFormationCustomResourceEvent,
  status: 'SUCCESS' | 'FAILED',
  result: PlatformApplicationResult,
  reason?: string,
): Promise<void> => {
  const body = JSON.stringify({
    Status: status,
    Reason: reason?.slice(0, 1000),
    PhysicalResourceId: result.PhysicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: result.Data,
  });
  // The URL is pre-signed without a content type; an empty one keeps the signature valid.
  const response = await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
  if (!response.ok) throw new Error(`CloudFormation response refused: ${response.status}`);
};

export const handler = async (event: CloudFormationCustomResourceEvent, context: Context): Promise<void> => {
  defaults ??= { sns: new SNSClient({}), readSecret: readSecretFromSecretsManager };
  const log = { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId };
  try {
    const result = await onEvent(event, defaults);
    console.log(
      JSON.stringify({ ...log, outcome: 'SUCCESS', physicalResourceId: result.PhysicalResourceId }),
    );
    await respond(event, 'SUCCESS', result);
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const message = (error as { message?: string }).message ?? String(error);
    console.log(JSON.stringify({ ...log, outcome: 'FAILED', error: name, message }));
    const physicalResourceId =
      event.RequestType === 'Create' ? `failed-${context.logStreamName}` : event.PhysicalResourceId;
    await respond(event, 'FAILED', { PhysicalResourceId: physicalResourceId }, `${name}: ${message}`);
  }
};
