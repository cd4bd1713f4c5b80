import type { Message } from '../shared/protocol';
import type { PushNotification, PushPlatform } from './push-ports';

/**
 * What a push notification says, and how it is rendered per platform. A notification always carries
 * the conversation id and seq, so the app can open the conversation and `sync` up to it; the preview
 * (sender and the start of the body) is left out for devices that turned it off.
 */

export const PREVIEW_CHARACTERS = 100;
export const GENERIC_TITLE = 'Messenger';
export const GENERIC_BODY = 'New message';

/** At most `max` characters (code points, so no emoji is cut in half), with an ellipsis when cut. */
export const truncate = (text: string, max: number): string => {
  const characters = Array.from(text);
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
};

/**
 * The notification of a message, or undefined when the message is not pushed. Only `text` messages
 * are: membership changes reach members through `conversation` events and sync, and pushing them would
 * notify the member who was just removed.
 */
export const buildNotification = (message: Message, preview: boolean): PushNotification | undefined => {
  if (message.kind !== 'text') return undefined;
  const { conversationId, seq } = message;
  if (!preview) return { conversationId, seq, title: GENERIC_TITLE, body: GENERIC_BODY };
  return { conversationId, seq, title: message.senderId, body: truncate(message.body, PREVIEW_CHARACTERS) };
};

/** APNs: the alert, grouped by conversation; `mutable-content` lets a service extension enrich it. */
export const apnsPayload = (notification: PushNotification) => ({
  aps: {
    alert: { title: notification.title, body: notification.body },
    'thread-id': notification.conversationId,
    'mutable-content': 1,
  },
  conversationId: notification.conversationId,
  seq: notification.seq,
});

/**
 * FCM HTTP v1 through SNS (`fcmV1Message`; the legacy GCM API is retired). FCM data values must be
 * strings; the Android tag makes a newer notification of a conversation replace the older one.
 */
export const fcmPayload = (notification: PushNotification) => ({
  fcmV1Message: {
    message: {
      notification: { title: notification.title, body: notification.body },
      data: { conversationId: notification.conversationId, seq: String(notification.seq) },
      android: { notification: { tag: notification.conversationId } },
    },
  },
});

export const platformPayload = (platform: PushPlatform, notification: PushNotification): unknown =>
  platform === 'GCM' ? fcmPayload(notification) : apnsPayload(notification);

/** The SNS `Message` for `MessageStructure: 'json'`: a `default` text and the platform's payload as a string. */
export const snsMessage = (platform: PushPlatform, notification: PushNotification): string =>
  JSON.stringify({
    default: notification.body,
    [platform]: JSON.stringify(platformPayload(platform, notification)),
  });
