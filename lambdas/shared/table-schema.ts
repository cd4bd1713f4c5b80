/**
 * The single-table schema: key names, key builders and the entity discriminator.
 *
 * Imported by the CDK construct (lib/), the DynamoDB repositories (lambdas/adapters) and the local
 * bootstrap (local/), so the three cannot drift. Pure data: no AWS SDK or CDK types here.
 */

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after this passes. */
  ttlAttribute: 'expiresAt',
  /** Every item says what it is, so stream filters and readers never parse keys. */
  entityAttribute: 'entity',
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;

/** Values of the entity attribute. */
export const Entity = {
  head: 'head',
  message: 'message',
  member: 'member',
  dedupe: 'dedupe',
  inbox: 'inbox',
  connection: 'connection',
  presence: 'presence',
  pushEndpoint: 'push',
  rateLimit: 'rate',
  pushCoalesce: 'push-coalesce',
} as const;
export type EntityName = (typeof Entity)[keyof typeof Entity];

/** Sequence numbers are zero-padded so that sort keys order like numbers. */
export const SEQ_DIGITS = 12;
export const MAX_SEQ = 10 ** SEQ_DIGITS - 1;

export const padSeq = (seq: number): string => seq.toString().padStart(SEQ_DIGITS, '0');

export interface Key {
  pk: string;
  sk: string;
}

const conversationPk = (conversationId: string) => `C#${conversationId}`;
const userPk = (userId: string) => `U#${userId}`;

export const Keys = {
  conversationPk,
  userPk,
  head: (conversationId: string): Key => ({ pk: conversationPk(conversationId), sk: 'HEAD' }),
  message: (conversationId: string, seq: number): Key => ({
    pk: conversationPk(conversationId),
    sk: `M#${padSeq(seq)}`,
  }),
  messagePrefix: 'M#',
  member: (conversationId: string, userId: string): Key => ({
    pk: conversationPk(conversationId),
    sk: `U#${userId}`,
  }),
  memberPrefix: 'U#',
  dedupe: (conversationId: string, senderId: string, clientMessageId: string): Key => ({
    pk: conversationPk(conversationId),
    sk: `D#${senderId}#${clientMessageId}`,
  }),
  inbox: (userId: string, conversationId: string): Key => ({
    pk: userPk(userId),
    sk: `C#${conversationId}`,
  }),
  inboxPrefix: 'C#',
  connection: (userId: string, connectionId: string): Key => ({
    pk: userPk(userId),
    sk: `K#${connectionId}`,
  }),
  connectionPrefix: 'K#',
  presence: (userId: string): Key => ({ pk: userPk(userId), sk: 'PRESENCE' }),
  pushEndpoint: (userId: string, deviceId: string): Key => ({
    pk: userPk(userId),
    sk: `P#${deviceId}`,
  }),
  pushEndpointPrefix: 'P#',
  /** When a push for this conversation last went to this offline user (coalescing window). */
  pushCoalesce: (userId: string, conversationId: string): Key => ({
    pk: userPk(userId),
    sk: `N#${conversationId}`,
  }),
  rateLimit: (userId: string, bucket: string): Key => ({ pk: userPk(userId), sk: `R#${bucket}` }),
} as const;

/** API Gateway closes a WebSocket after 2 hours; connection items outlive that a little. */
export const CONNECTION_TTL_SECONDS = 2 * 60 * 60 + 15 * 60;
/** Resends are deduplicated for at least 24 hours (protocol guarantee 3); kept a little longer. */
export const DEDUPE_TTL_SECONDS = 26 * 60 * 60;
