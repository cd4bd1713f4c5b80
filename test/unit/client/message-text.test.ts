import { describe, expect, it } from 'vitest';
import { messageText } from '../../../client/sdk/message-text';
import type { Message } from '../../../lambdas/shared/protocol';

const base: Message = {
  conversationId: 'g:1',
  seq: 1,
  senderId: 'carol',
  clientMessageId: 'c',
  body: '',
  sentAt: '2030-01-01T00:00:00.000Z',
  kind: 'text',
};

describe('messageText', () => {
  it('gives a text message its body', () => {
    expect(messageText({ ...base, body: 'hi' })).toBe('hi');
  });

  it('says who changed the membership of a group', () => {
    expect(
      messageText({
        ...base,
        kind: 'group_created',
        data: { name: 'weekend', memberIds: ['carol', 'alice', 'bob'] },
      }),
    ).toBe('carol created the group “weekend” with alice, bob');
    expect(messageText({ ...base, kind: 'members_added', data: { memberIds: ['dan'] } })).toBe(
      'carol added dan',
    );
    expect(messageText({ ...base, kind: 'member_removed', data: { userId: 'carol' } })).toBe('carol left');
    expect(messageText({ ...base, kind: 'member_removed', data: { userId: 'bob' } })).toBe(
      'carol removed bob',
    );
  });
});
