import { beforeAll, describe, expect, it } from 'vitest';
import { directConversationId } from '../../lambdas/domain/conversation-id';
import type { ErrorFrame } from '../../lambdas/shared/protocol';
import { createTestApp, type TestApp } from '../support/app';

describe('bad frames', () => {
  let app: TestApp;
  let before: Record<string, unknown>[];
  const conversationId = directConversationId('alice', 'bob');
  const send = (fields: Record<string, unknown>) => ({
    action: 'sendMessage',
    requestId: 'r-1',
    conversationId,
    clientMessageId: 'c-1',
    body: 'hello',
    ...fields,
  });

  beforeAll(async () => {
    app = await createTestApp();
    await app.request('alice', { action: 'openDirect', userId: 'bob' });
    before = await app.scanAll();
  });

  it.each([
    ['a frame that is not JSON', '{"action": "sendMessage",', 'BAD_REQUEST', undefined],
    ['a JSON array', '[1,2,3]', 'BAD_REQUEST', undefined],
    ['a frame without requestId', JSON.stringify({ action: 'ping' }), 'BAD_REQUEST', undefined],
    [
      'a requestId over 64 characters',
      JSON.stringify({ action: 'ping', requestId: 'r'.repeat(65) }),
      'BAD_REQUEST',
      undefined,
    ],
    [
      'an unknown action',
      JSON.stringify({ action: 'launchRockets', requestId: 'r-1' }),
      'BAD_REQUEST',
      'r-1',
    ],
    [
      'an inherited property as action',
      JSON.stringify({ action: 'constructor', requestId: 'r-1' }),
      'BAD_REQUEST',
      'r-1',
    ],
    ['a missing body', JSON.stringify(send({ body: undefined })), 'BAD_REQUEST', 'r-1'],
    ['an empty body', JSON.stringify(send({ body: '' })), 'BAD_REQUEST', 'r-1'],
    ['a numeric body', JSON.stringify(send({ body: 42 })), 'BAD_REQUEST', 'r-1'],
    ['a body over 4000 characters', JSON.stringify(send({ body: 'x'.repeat(4001) })), 'BAD_REQUEST', 'r-1'],
    [
      'a clientMessageId over 64 characters',
      JSON.stringify(send({ clientMessageId: 'c'.repeat(65) })),
      'BAD_REQUEST',
      'r-1',
    ],
    [
      'a conversationId with a key separator',
      JSON.stringify(send({ conversationId: 'dm:a#b' })),
      'BAD_REQUEST',
      'r-1',
    ],
    [
      'a string afterSeq',
      JSON.stringify({ action: 'sync', requestId: 'r-1', conversationId, afterSeq: '3' }),
      'BAD_REQUEST',
      'r-1',
    ],
    [
      'a frame over 32 KB',
      JSON.stringify(send({ padding: 'p'.repeat(33 * 1024) })),
      'PAYLOAD_TOO_LARGE',
      'r-1',
    ],
  ])('answers %s with %s and stores nothing', async (_name, body, code, requestId) => {
    // Act
    const answer = await app.request<ErrorFrame>('alice', body);

    // Assess
    expect(answer.type).toBe('error');
    expect(answer.code).toBe(code);
    expect(answer.requestId).toBe(requestId);
    expect(answer.message.length).toBeGreaterThan(0);
    expect(await app.scanAll()).toEqual(before);
  });

  it('accepts a body of exactly 4000 characters', async () => {
    // Act
    const answer = await app.request(
      'alice',
      JSON.stringify(send({ body: 'y'.repeat(4000), clientMessageId: 'max' })),
    );

    // Assess
    expect(answer).toMatchObject({ type: 'ack', seq: 1, requestId: 'r-1' });
  });

  it('answers UNAUTHORIZED when the connection carries no authorizer context', async () => {
    // Prepare
    const event = app.event('alice', JSON.stringify({ action: 'ping', requestId: 'p' }));
    event.requestContext.authorizer = null;
    const { handleRequest } = await import('../../lambdas/handlers/request');

    // Act
    const result = await handleRequest(event, app.deps);

    // Assess
    expect(JSON.parse(result.body ?? '')).toEqual({
      type: 'error',
      requestId: 'p',
      code: 'UNAUTHORIZED',
      message: 'The connection is not authorized',
    });
  });

  it('answers ping with pong', async () => {
    // Act / Assess
    expect(await app.request('alice', { action: 'ping', requestId: 'p-2' })).toEqual({
      type: 'pong',
      requestId: 'p-2',
    });
  });
});
