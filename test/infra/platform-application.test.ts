import {
  CreatePlatformApplicationCommand,
  DeletePlatformApplicationCommand,
  SetPlatformApplicationAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { onEvent, type ProviderDependencies } from '../../lib/custom-resources/platform-application';

const APP_ARN = 'arn:aws:sns:eu-west-1:111111111111:app/APNS/Messenger-prod-APNS';
const APNS_SECRET = JSON.stringify({
  signingKey: '-----BEGIN PRIVATE KEY-----\nMIGT\n-----END PRIVATE KEY-----',
  keyId: 'KEY123',
  teamId: 'TEAM42',
  bundleId: 'com.example.messenger',
});
const FCM_SECRET = JSON.stringify({
  type: 'service_account',
  project_id: 'messenger',
  private_key: 'secret-key',
});

const common = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/',
  StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Messenger-prod/1',
  RequestId: 'request-1',
  LogicalResourceId: 'PushAPNSApplication',
  ResourceType: 'Custom::SnsPlatformApplication',
};
const properties = (overrides: Record<string, string> = {}) => ({
  ServiceToken: common.ServiceToken,
  Name: 'Messenger-prod-APNS',
  Platform: 'APNS',
  SecretId: 'messenger/apns',
  ...overrides,
});

const sns = mockClient(SNSClient);

const dependencies = (secrets: Record<string, string>) => {
  sns.on(CreatePlatformApplicationCommand).resolves({ PlatformApplicationArn: APP_ARN });
  const read: string[] = [];
  const deps: ProviderDependencies = {
    sns: new SNSClient({ region: 'eu-west-1' }),
    readSecret: async (secretId) => {
      read.push(secretId);
      const secret = secrets[secretId];
      if (secret === undefined) throw new Error(`no secret ${secretId}`);
      return secret;
    },
  };
  return { deps, read };
};

describe('the SNS platform application custom resource', () => {
  beforeEach(() => {
    sns.reset();
  });

  it('creates an APNs application with token credentials from the secret and answers with its ARN', async () => {
    // Prepare
    const { deps, read } = dependencies({ 'messenger/apns': APNS_SECRET });
    const event: CloudFormationCustomResourceEvent = {
      ...common,
      RequestType: 'Create',
      ResourceProperties: properties(),
    };

    // Act
    const result = await onEvent(event, deps);

    // Assess
    expect(read).toEqual(['messenger/apns']);
    expect(sns.commandCalls(CreatePlatformApplicationCommand).map((call) => call.args[0].input)).toEqual([
      {
        Name: 'Messenger-prod-APNS',
        Platform: 'APNS',
        Attributes: {
          PlatformCredential: '-----BEGIN PRIVATE KEY-----\nMIGT\n-----END PRIVATE KEY-----',
          PlatformPrincipal: 'KEY123',
          ApplePlatformTeamID: 'TEAM42',
          ApplePlatformBundleID: 'com.example.messenger',
        },
      },
    ]);
    expect(result).toEqual({ PhysicalResourceId: APP_ARN, Data: { Arn: APP_ARN } });
  });

  it('passes the FCM service-account JSON through as the platform credential', async () => {
    // Prepare
    const { deps } = dependencies({ 'messenger/fcm': FCM_SECRET });
    const event: CloudFormationCustomResourceEvent = {
      ...common,
      RequestType: 'Create',
      ResourceProperties: properties({
        Name: 'Messenger-prod-GCM',
        Platform: 'GCM',
        SecretId: 'messenger/fcm',
      }),
    };

    // Act
    await onEvent(event, deps);

    // Assess
    expect(sns.commandCalls(CreatePlatformApplicationCommand)[0]?.args[0].input).toEqual({
      Name: 'Messenger-prod-GCM',
      Platform: 'GCM',
      Attributes: { PlatformCredential: FCM_SECRET },
    });
  });

  it('refuses an APNs secret without its fields and never repeats the secret in the error', async () => {
    // Prepare
    const { deps } = dependencies({ 'messenger/apns': JSON.stringify({ signingKey: 'top-secret-key' }) });
    const event: CloudFormationCustomResourceEvent = {
      ...common,
      RequestType: 'Create',
      ResourceProperties: properties(),
    };

    // Act
    const outcome = onEvent(event, deps);

    // Assess
    await expect(outcome).rejects.toThrow('The APNs secret lacks keyId, teamId, bundleId');
    await expect(outcome).rejects.not.toThrow(/top-secret-key/);
    expect(sns.commandCalls(CreatePlatformApplicationCommand)).toHaveLength(0);
  });

  it('updates the credentials of the same application in place', async () => {
    // Prepare
    const { deps } = dependencies({ 'messenger/apns': APNS_SECRET });
    const event: CloudFormationCustomResourceEvent = {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: APP_ARN,
      ResourceProperties: properties(),
      OldResourceProperties: properties(),
    };

    // Act
    const result = await onEvent(event, deps);

    // Assess
    expect(sns.commandCalls(CreatePlatformApplicationCommand)).toHaveLength(0);
    expect(sns.commandCalls(SetPlatformApplicationAttributesCommand)[0]?.args[0].input).toEqual(
      expect.objectContaining({ PlatformApplicationArn: APP_ARN }),
    );
    expect(result.PhysicalResourceId).toBe(APP_ARN);
  });

  it('creates a new application when the platform changes, so CloudFormation deletes the old one', async () => {
    // Prepare
    const { deps } = dependencies({ 'messenger/apns': APNS_SECRET });
    sns.on(CreatePlatformApplicationCommand).resolves({ PlatformApplicationArn: `${APP_ARN}-sandbox` });
    const event: CloudFormationCustomResourceEvent = {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: APP_ARN,
      ResourceProperties: properties({ Platform: 'APNS_SANDBOX' }),
      OldResourceProperties: properties(),
    };

    // Act
    const result = await onEvent(event, deps);

    // Assess
    expect(sns.commandCalls(CreatePlatformApplicationCommand)[0]?.args[0].input.Platform).toBe(
      'APNS_SANDBOX',
    );
    expect(sns.commandCalls(SetPlatformApplicationAttributesCommand)).toHaveLength(0);
    expect(result.PhysicalResourceId).toBe(`${APP_ARN}-sandbox`);
  });

  it('deletes the application, and treats one already gone or never created as deleted', async () => {
    // Prepare
    const { deps } = dependencies({});
    const gone = Object.assign(new Error('gone'), { name: 'NotFoundException' });
    sns.on(DeletePlatformApplicationCommand).rejectsOnce(gone).resolves({});
    const deleteOf = (physicalId: string): CloudFormationCustomResourceEvent => ({
      ...common,
      RequestType: 'Delete',
      PhysicalResourceId: physicalId,
      ResourceProperties: properties(),
    });

    // Act
    const alreadyGone = await onEvent(deleteOf(APP_ARN), deps);
    const deleted = await onEvent(deleteOf(APP_ARN), deps);
    const neverCreated = await onEvent(deleteOf('failed-2026/01/01/[$LATEST]abc'), deps);

    // Assess
    expect(sns.commandCalls(DeletePlatformApplicationCommand)).toHaveLength(2);
    expect([alreadyGone, deleted, neverCreated].map((result) => result.PhysicalResourceId)).toEqual([
      APP_ARN,
      APP_ARN,
      'failed-2026/01/01/[$LATEST]abc',
    ]);
  });
});
