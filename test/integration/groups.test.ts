import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBRecord } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiGatewayConnectionNotifier } from '../../lambdas/adapters/connection-notifier';
import { createTableDependencies } from '../../lambdas/adapters/dependencies';
import { handleStream } from '../../lambdas/handlers/fanout';
import type { Answer, ErrorFrame, Message, ServerEvent } from '../../lambdas/shared/protocol';
import { createTestApp, type TestApp } from '../support/app';
import { readStream, streamEvent } from '../support/stream-records';

type ConversationAnswer = Extract<Answer, { type: 'conversation' }>;
type Messages = Extract<Answer, { type: 'messages' }>;
type Ack = Extract<Answer, { type: 'ack' }>;

const decoder = new TextDecoder();

describe('groups', () => {
  let app: TestApp;

  const createGroup = async (creator: string, name: string, memberIds: string[]) => {
    const answer = await app.request<ConversationAnswer | ErrorFrame>(creator, {
      action: 'createGroup',
      name,
      memberIds,
    });
    if (answer.type !== 'conversation') throw new Error(JSON.stringify(answer));
    return answer.conversation;
  };

  const syncAll = async (userId: string, conversationId: string): Promise<Message[]> => {
    const messages: Message[] = [];
    for (let afterSeq = 0; ; ) {
      const page = await app.request<Messages>(userId, {
        action: 'sync',
        conversationId,
        afterSeq,
        limit: 200,
      });
      messages.push(...page.messages);
      if (!page.hasMore || page.messages.length === 0) return messages;
      afterSeq = page.messages.at(-1)?.seq ?? afterSeq;
    }
  };

  beforeEach(async () => {
    app = await createTestApp();
  });

  it('creates a group whose creation is message 1, listed for every member', async () => {
    // Act
    const group = await createGroup('alice', 'Climbing', ['bob', 'carol', 'bob']);

    // Assess
    expect(group).toMatchObject({ kind: 'group', name: 'Climbing', lastSeq: 1, readSeq: 0 });
    expect([...group.memberIds].sort()).toEqual(['alice', 'bob', 'carol']);
    const [created] = await syncAll('carol', group.conversationId);
    expect(created).toMatchObject({
      seq: 1,
      kind: 'group_created',
      senderId: 'alice',
      data: { name: 'Climbing' },
    });
    for (const userId of ['alice', 'bob', 'carol']) {
      const list = await app.request<Extract<Answer, { type: 'conversations' }>>(userId, {
        action: 'listConversations',
      });
      expect(list.conversations.map((conversation) => conversation.conversationId)).toEqual([
        group.conversationId,
      ]);
    }
  });

  it('keeps one gapless order shared by all when membership changes interleave with concurrent sends', async () => {
    // Prepare
    const app2 = app;
    const group = await createGroup('alice', 'Busy', ['bob', 'carol']);
    const { conversationId } = group;
    const send = (userId: string, n: number) =>
      app2.request<Ack | ErrorFrame>(userId, {
        action: 'sendMessage',
        conversationId,
        clientMessageId: `${userId}-${n}`,
        body: `${n}`,
      });

    // Act: three senders, while dave and erin are added and carol leaves half-way
    const senders = ['alice', 'bob'].map(async (userId) => {
      for (let n = 0; n < 15; n++) await send(userId, n);
    });
    const carol = (async () => {
      for (let n = 0; n < 5; n++) await send('carol', n);
      await app2.request('carol', { action: 'removeMember', conversationId, userId: 'carol' });
    })();
    const changes = (async () => {
      await app2.request('bob', { action: 'addMembers', conversationId, userIds: ['dave'] });
      await app2.request('alice', { action: 'addMembers', conversationId, userIds: ['erin', 'dave'] });
    })();
    await Promise.all([...senders, carol, changes]);

    // Assess
    const history = await syncAll('alice', conversationId);
    expect(history.map((message) => message.seq)).toEqual(history.map((_, index) => index + 1));
    expect(history.filter((message) => message.kind === 'text')).toHaveLength(35);
    expect(history.map((message) => message.kind).filter((kind) => kind !== 'text')).toEqual(
      expect.arrayContaining(['group_created', 'members_added', 'members_added', 'member_removed']),
    );
    const bobsView = await syncAll('bob', conversationId);
    expect(bobsView).toEqual(history);
    const daveJoined = history.find(
      (message) => message.kind === 'members_added' && message.senderId === 'bob',
    );
    const davesView = await syncAll('dave', conversationId);
    expect(davesView).toEqual(history.filter((message) => message.seq >= (daveJoined?.seq ?? 0)));
    const removal = history.find((message) => message.kind === 'member_removed');
    const carolsView = await syncAll('carol', conversationId);
    expect(carolsView).toEqual(history.filter((message) => message.seq <= (removal?.seq ?? 0)));
  });

  it('refuses a removed member with FORBIDDEN, stores nothing, and sends them nothing after removal', async () => {
    // Prepare
    const management: AwsClientStub<ApiGatewayManagementApiClient> = mockClient(
      ApiGatewayManagementApiClient,
    );
    management.on(PostToConnectionCommand).resolves({});
    const client = new ApiGatewayManagementApiClient({
      endpoint: 'https://example.com/prod',
      region: 'eu-west-1',
    });
    const deps = createTableDependencies(app.documentClient, app.tableName, {
      notifier: new ApiGatewayConnectionNotifier(client),
    });
    const connectedAt = new Date().toISOString();
    for (const userId of ['alice', 'bob', 'carol']) {
      await deps.presence.connect({ userId, connectionId: `${userId}-conn`, deviceId: 'd', connectedAt });
    }
    const group = await createGroup('alice', 'Trio', ['bob', 'carol']);
    const { conversationId } = group;
    await app.request('alice', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'before',
      body: 'hi all',
    });
    const removed = await app.request<ConversationAnswer>('alice', {
      action: 'removeMember',
      conversationId,
      userId: 'carol',
    });
    await app.request('bob', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'after',
      body: 'carol is gone',
    });
    const before = await app.scanAll();

    // Act
    const refused = await app.request<ErrorFrame>('carol', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'sneaky',
      body: 'still here?',
    });
    const records: DynamoDBRecord[] = await readStream(app.endpoint, app.streamArn);
    await handleStream(streamEvent(records), deps.fanout);

    // Assess
    expect(removed.conversation.memberIds.sort()).toEqual(['alice', 'bob']);
    expect(refused).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await app.scanAll()).toEqual(before);
    const toCarol = management
      .commandCalls(PostToConnectionCommand)
      .filter((call) => call.args[0].input.ConnectionId === 'carol-conn')
      .map((call) => JSON.parse(decoder.decode(call.args[0].input.Data as Uint8Array)) as ServerEvent);
    // The stream is fanned out after the removal, so carol, no longer a member, gets nothing at all
    expect(toCarol).toEqual([]);
    const toBob = management
      .commandCalls(PostToConnectionCommand)
      .filter((call) => call.args[0].input.ConnectionId === 'bob-conn')
      .map((call) => JSON.parse(decoder.decode(call.args[0].input.Data as Uint8Array)) as ServerEvent);
    expect(
      toBob
        .filter((event) => event.type === 'message')
        .map((event) => event.type === 'message' && event.message.seq),
    ).toEqual([1, 2, 3, 4]);
    expect(toBob.some((event) => event.type === 'conversation')).toBe(true);
    management.restore();
  });

  it('lets only the creator remove others, and anyone leave', async () => {
    // Prepare
    const { conversationId } = await createGroup('alice', 'Rules', ['bob', 'carol']);

    // Act
    const bobRemovesCarol = await app.request<ErrorFrame>('bob', {
      action: 'removeMember',
      conversationId,
      userId: 'carol',
    });
    const bobLeaves = await app.request<ConversationAnswer>('bob', {
      action: 'removeMember',
      conversationId,
      userId: 'bob',
    });
    const aliceRemovesCarol = await app.request<ConversationAnswer>('alice', {
      action: 'removeMember',
      conversationId,
      userId: 'carol',
    });

    // Assess
    expect(bobRemovesCarol).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(bobLeaves.type).toBe('conversation');
    expect(aliceRemovesCarol.conversation.memberIds).toEqual(['alice']);
  });

  it('refuses additions by a non-member and membership changes of a direct conversation', async () => {
    // Prepare
    const { conversationId } = await createGroup('alice', 'Closed', ['bob']);
    const direct = await app.request<ConversationAnswer>('alice', { action: 'openDirect', userId: 'bob' });
    const before = await app.scanAll();

    // Act
    const byOutsider = await app.request<ErrorFrame>('mallory', {
      action: 'addMembers',
      conversationId,
      userIds: ['mallory'],
    });
    const toDirect = await app.request<ErrorFrame>('alice', {
      action: 'addMembers',
      conversationId: direct.conversation.conversationId,
      userIds: ['carol'],
    });

    // Assess: refused changes store nothing, not even a quota counter
    expect(byOutsider).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(toDirect).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    expect(await app.scanAll()).toEqual(before);
  });

  it('holds a group of 250 members in consecutive membership messages, and refuses the 251st', async () => {
    // Prepare
    const invitees = Array.from({ length: 249 }, (_, index) => `user${index}`);

    // Act
    const group = await createGroup('alice', 'Stadium', invitees);
    const full = await app.request<ErrorFrame>('alice', {
      action: 'addMembers',
      conversationId: group.conversationId,
      userIds: ['one-too-many'],
    });
    const tooManyAtOnce = await app.request<ErrorFrame>('alice', {
      action: 'createGroup',
      name: 'x',
      memberIds: [...invitees, 'u'],
    });

    // Assess
    expect(group.memberIds).toHaveLength(250);
    const history = await syncAll('user248', group.conversationId);
    expect(history.length).toBeGreaterThanOrEqual(1);
    const everyone = await syncAll('alice', group.conversationId);
    expect(everyone.map((message) => message.kind)).toEqual([
      'group_created',
      'members_added',
      'members_added',
    ]);
    expect(full).toMatchObject({ type: 'error', code: 'CONFLICT' });
    expect(tooManyAtOnce).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });

  it('treats adding an existing member as a no-op that stores nothing', async () => {
    // Prepare
    const { conversationId } = await createGroup('alice', 'Same', ['bob']);
    const before = await app.scanAll();

    // Act
    const answer = await app.request<ConversationAnswer>('bob', {
      action: 'addMembers',
      conversationId,
      userIds: ['alice'],
    });

    // Assess: only bob's group-change quota counter moved
    expect(answer.conversation.lastSeq).toBe(1);
    const withoutQuota = (items: Record<string, unknown>[]) => items.filter((item) => item.entity !== 'rate');
    expect(withoutQuota(await app.scanAll())).toEqual(withoutQuota(before));
  });
});

describe('group read positions', () => {
  it('starts a new member read up to the seq before their join, and shows a removed member the history up to removal', async () => {
    // Prepare
    const app = await createTestApp();
    const created = await app.request<ConversationAnswer>('alice', {
      action: 'createGroup',
      name: 'Late',
      memberIds: ['bob'],
    });
    const { conversationId } = created.conversation;
    for (let n = 0; n < 3; n++) {
      await app.request('alice', {
        action: 'sendMessage',
        conversationId,
        clientMessageId: `m${n}`,
        body: 'x',
      });
    }

    // Act
    await app.request('alice', { action: 'addMembers', conversationId, userIds: ['dave'] });
    await app.request('alice', { action: 'removeMember', conversationId, userId: 'bob' });
    await app.request('alice', {
      action: 'sendMessage',
      conversationId,
      clientMessageId: 'after',
      body: 'y',
    });
    const listFor = async (userId: string) =>
      (await app.request<Extract<Answer, { type: 'conversations' }>>(userId, { action: 'listConversations' }))
        .conversations[0];

    // Assess: dave joined at seq 5, so 1..4 are not his to read; bob was removed at 6 and sees up to 6
    expect(await listFor('dave')).toMatchObject({ lastSeq: 7, readSeq: 4 });
    expect(await listFor('bob')).toMatchObject({ lastSeq: 6, readSeq: 0 });
    expect(await listFor('alice')).toMatchObject({ lastSeq: 7 });
  });
});
