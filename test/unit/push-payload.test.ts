import { describe, expect, it } from 'vitest';
import {
  buildNotification,
  GENERIC_BODY,
  GENERIC_TITLE,
  PREVIEW_CHARACTERS,
  snsMessage,
  truncate,
} from '../../lambdas/domain/push-payload';
import type { PushNotification } from '../../lambdas/domain/push-ports';
import type { Message } from '../../lambdas/shared/protocol';

const message = (overrides: Partial<Message> = {}): Message => ({
  conversationId: 'g:team',
  seq: 42,
  senderId: 'alice',
  clientMessageId: 'c1',
  body: 'Lunch at noon?',
  sentAt: '2030-01-01T00:00:00.000Z',
  kind: 'text',
  ...overrides,
});

const notification: PushNotification = {
  conversationId: 'g:team',
  seq: 42,
  title: 'alice',
  body: 'Lunch at noon?',
};

describe('push notification text', () => {
  it('previews the sender and the body', () => {
    // Act
    const built = buildNotification(message(), true);

    // Assess
    expect(built).toEqual({ conversationId: 'g:team', seq: 42, title: 'alice', body: 'Lunch at noon?' });
  });

  it('cuts a long body to the preview length with an ellipsis', () => {
    // Prepare
    const body = 'x'.repeat(500);

    // Act
    const built = buildNotification(message({ body }), true);

    // Assess
    expect(Array.from(built?.body ?? '')).toHaveLength(PREVIEW_CHARACTERS);
    expect(built?.body.endsWith('…')).toBe(true);
  });

  it('never cuts a character made of two UTF-16 units in half', () => {
    // Prepare
    const text = '😀'.repeat(10);

    // Act
    const cut = truncate(text, 5);

    // Assess
    expect(cut).toBe('😀😀😀😀…');
    expect(truncate('short', 5)).toBe('short');
  });

  it('says only that there is a new message when the preview is off', () => {
    // Act
    const built = buildNotification(message({ body: 'the secret plan' }), false);

    // Assess
    expect(built).toEqual({ conversationId: 'g:team', seq: 42, title: GENERIC_TITLE, body: GENERIC_BODY });
  });

  it('builds nothing for a membership change', () => {
    // Act
    const built = ['group_created', 'members_added', 'member_removed'].map((kind) =>
      buildNotification(message({ kind: kind as Message['kind'] }), true),
    );

    // Assess
    expect(built).toEqual([undefined, undefined, undefined]);
  });
});

describe('SNS message per platform', () => {
  it.each(['APNS', 'APNS_SANDBOX'] as const)(
    'renders an APNs alert grouped by conversation for %s',
    (platform) => {
      // Act
      const envelope = JSON.parse(snsMessage(platform, notification)) as Record<string, string>;

      // Assess
      expect(Object.keys(envelope).sort()).toEqual([platform, 'default'].sort());
      expect(envelope.default).toBe('Lunch at noon?');
      expect(JSON.parse(envelope[platform] as string)).toEqual({
        aps: {
          alert: { title: 'alice', body: 'Lunch at noon?' },
          'thread-id': 'g:team',
          'mutable-content': 1,
        },
        conversationId: 'g:team',
        seq: 42,
      });
    },
  );

  it('renders an FCM v1 message with string data for GCM', () => {
    // Act
    const envelope = JSON.parse(snsMessage('GCM', notification)) as Record<string, string>;

    // Assess
    expect(JSON.parse(envelope.GCM as string)).toEqual({
      fcmV1Message: {
        message: {
          notification: { title: 'alice', body: 'Lunch at noon?' },
          data: { conversationId: 'g:team', seq: '42' },
          android: { notification: { tag: 'g:team' } },
        },
      },
    });
  });
});
