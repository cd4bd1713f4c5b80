import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ErrorFrame } from '../../lambdas/shared/protocol';
import { Keys } from '../../lambdas/shared/table-schema';
import { createTestApp, type TestApp } from '../support/app';

describe('registerPush', () => {
  let app: TestApp;

  const stored = async (userId: string, deviceId: string) =>
    (
      await app.documentClient.send(
        new GetCommand({
          TableName: app.tableName,
          Key: Keys.pushEndpoint(userId, deviceId),
          ConsistentRead: true,
        }),
      )
    ).Item;

  beforeEach(async () => {
    app = await createTestApp();
  });

  it('stores the token for the connection’s device and answers ok', async () => {
    // Act
    const answer = await app.request('bob', {
      action: 'registerPush',
      platform: 'GCM',
      token: 'fcm-token',
      preview: false,
    });

    // Assess
    expect(answer).toMatchObject({ type: 'ok' });
    expect(await stored('bob', 'device-bob')).toMatchObject({
      platform: 'GCM',
      token: 'fcm-token',
      preview: false,
    });
  });

  it('refuses an unknown platform and stores nothing', async () => {
    // Act
    const answer = await app.request<ErrorFrame>('bob', {
      action: 'registerPush',
      platform: 'WNS',
      token: 't',
    });

    // Assess
    expect(answer).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    expect(await stored('bob', 'device-bob')).toBeUndefined();
  });
});
