import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTableDependencies } from '../../lambdas/adapters/dependencies';
import { directConversationId } from '../../lambdas/domain/conversation-id';
import { handleRequest } from '../../lambdas/handlers/request';
import type { ServerFrame } from '../../lambdas/shared/protocol';
import { Entity } from '../../lambdas/shared/table-schema';
import { createTestApp } from '../support/app';

describe('rate limits', () => {
  const withLimits = async (options: Parameters<typeof createTableDependencies>[2]) => {
    const app = await createTestApp();
    const deps = createTableDependencies(app.documentClient, app.tableName, options);
    const request = async (userId: string, frame: Record<string, unknown>) => {
      const result = await handleRequest(
        app.event(userId, JSON.stringify({ requestId: randomUUID(), ...frame })),
        deps,
      );
      return JSON.parse(result.body ?? '') as ServerFrame;
    };
    return { app, request };
  };
  const notQuota = (items: Record<string, unknown>[]) =>
    items.filter((item) => item.entity !== Entity.rateLimit);

  it('answers RATE_LIMITED past the send quota and stores nothing for the refused send', async () => {
    // Prepare
    const { app, request } = await withLimits({
      sendQuota: { bucket: 'send', limit: 3, windowSeconds: 3600 },
    });
    const conversationId = directConversationId('alice', 'bob');
    await request('alice', { action: 'openDirect', userId: 'bob' });
    for (let n = 0; n < 3; n++) {
      expect(
        await request('alice', {
          action: 'sendMessage',
          conversationId,
          clientMessageId: `m${n}`,
          body: 'x',
        }),
      ).toMatchObject({
        type: 'ack',
      });
    }
    const before = await app.scanAll();

    // Act
    const refused = await request('alice', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'm3',
      body: 'x',
    });
    const bobStillSends = await request('bob', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'b',
      body: 'y',
    });

    // Assess
    expect(refused).toMatchObject({ type: 'error', code: 'RATE_LIMITED' });
    const retryAfterMs = (refused as { retryAfterMs?: number }).retryAfterMs ?? -1;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(3600_000);
    expect(bobStillSends).toMatchObject({ type: 'ack', seq: 4 });
    const after = await app.scanAll();
    expect(after.filter((item) => item.entity === Entity.message)).toHaveLength(4);
    expect(after.some((item) => item.clientMessageId === 'm3')).toBe(false);
    expect(notQuota(before).filter((item) => item.entity === Entity.message)).toHaveLength(3);
  });

  it('still answers a resend of an acknowledged message when the quota is spent', async () => {
    // Prepare
    const { request } = await withLimits({ sendQuota: { bucket: 'send', limit: 1, windowSeconds: 3600 } });
    const conversationId = directConversationId('alice', 'bob');
    await request('alice', { action: 'openDirect', userId: 'bob' });
    const frame = { action: 'sendMessage', conversationId, clientMessageId: 'once', body: 'x' };
    await request('alice', frame);

    // Act
    const resend = await request('alice', frame);

    // Assess
    expect(resend).toMatchObject({ type: 'ack', seq: 1 });
  });

  it('answers RATE_LIMITED past the group-change quota and creates no group', async () => {
    // Prepare
    const { app, request } = await withLimits({
      groupQuota: { bucket: 'groups', limit: 2, windowSeconds: 3600 },
    });
    await request('alice', { action: 'createGroup', name: 'one', memberIds: ['bob'] });
    await request('alice', { action: 'createGroup', name: 'two', memberIds: ['bob'] });
    const before = notQuota(await app.scanAll());

    // Act
    const refused = await request('alice', { action: 'createGroup', name: 'three', memberIds: ['bob'] });

    // Assess
    expect(refused).toMatchObject({ type: 'error', code: 'RATE_LIMITED' });
    expect(notQuota(await app.scanAll())).toEqual(before);
  });

  it('answers RATE_LIMITED past the typing quota', async () => {
    // Prepare
    const { request } = await withLimits({
      typingQuota: { bucket: 'typing', limit: 2, windowSeconds: 3600 },
      notifier: { post: async () => 'delivered' },
    });
    const conversationId = directConversationId('alice', 'bob');
    await request('alice', { action: 'openDirect', userId: 'bob' });

    // Act
    const answers = [];
    for (let n = 0; n < 3; n++) answers.push(await request('alice', { action: 'typing', conversationId }));

    // Assess
    expect(answers.map((answer) => (answer.type === 'error' ? answer.code : answer.type))).toEqual([
      'ok',
      'ok',
      'RATE_LIMITED',
    ]);
  });
});
