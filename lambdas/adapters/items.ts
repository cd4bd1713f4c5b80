import type { ConnectionRecord, ConversationHead, Membership } from '../domain/ports';
import type { Message } from '../shared/protocol';
import { Entity, Keys } from '../shared/table-schema';

/** Mapping between domain records and table items. Every item carries `entity`. */

export type Item = Record<string, unknown>;

export const messageItem = (message: Message): Item => ({
  ...Keys.message(message.conversationId, message.seq),
  entity: Entity.message,
  conversationId: message.conversationId,
  seq: message.seq,
  senderId: message.senderId,
  clientMessageId: message.clientMessageId,
  body: message.body,
  sentAt: message.sentAt,
  kind: message.kind,
  ...(message.data === undefined ? {} : { data: message.data }),
});

export const toMessage = (item: Item): Message => ({
  conversationId: item.conversationId as string,
  seq: item.seq as number,
  senderId: item.senderId as string,
  clientMessageId: item.clientMessageId as string,
  body: item.body as string,
  sentAt: item.sentAt as string,
  kind: item.kind as Message['kind'],
  ...(item.data === undefined ? {} : { data: item.data as Record<string, unknown> }),
});

export const headItem = (head: ConversationHead): Item => ({
  ...Keys.head(head.conversationId),
  entity: Entity.head,
  conversationId: head.conversationId,
  kind: head.kind,
  ...(head.name === undefined ? {} : { name: head.name }),
  lastSeq: head.lastSeq,
  createdAt: head.createdAt,
  lastActivityAt: head.lastActivityAt,
  ...(head.createdBy === undefined ? {} : { createdBy: head.createdBy }),
  ...(head.memberCount === undefined ? {} : { memberCount: head.memberCount }),
});

export const toHead = (item: Item): ConversationHead => ({
  conversationId: item.conversationId as string,
  kind: item.kind as ConversationHead['kind'],
  ...(item.name === undefined ? {} : { name: item.name as string }),
  lastSeq: item.lastSeq as number,
  createdAt: item.createdAt as string,
  lastActivityAt: item.lastActivityAt as string,
  ...(item.createdBy === undefined ? {} : { createdBy: item.createdBy as string }),
  ...(item.memberCount === undefined ? {} : { memberCount: item.memberCount as number }),
});

export const memberItem = (membership: Membership, joinedAt: string): Item => ({
  ...Keys.member(membership.conversationId, membership.userId),
  entity: Entity.member,
  conversationId: membership.conversationId,
  userId: membership.userId,
  joinedSeq: membership.joinedSeq,
  joinedAt,
});

export const toMembership = (item: Item): Membership => ({
  conversationId: item.conversationId as string,
  userId: item.userId as string,
  joinedSeq: item.joinedSeq as number,
  ...(item.removedSeq === undefined ? {} : { removedSeq: item.removedSeq as number }),
});

export const inboxItem = (userId: string, conversationId: string, joinedAt: string): Item => ({
  ...Keys.inbox(userId, conversationId),
  entity: Entity.inbox,
  userId,
  conversationId,
  readSeq: 0,
  joinedAt,
});

export const connectionItem = (connection: ConnectionRecord, expiresAt: number): Item => ({
  ...Keys.connection(connection.userId, connection.connectionId),
  entity: Entity.connection,
  userId: connection.userId,
  connectionId: connection.connectionId,
  deviceId: connection.deviceId,
  connectedAt: connection.connectedAt,
  expiresAt,
});

export const toConnection = (item: Item): ConnectionRecord => ({
  userId: item.userId as string,
  connectionId: item.connectionId as string,
  deviceId: item.deviceId as string,
  connectedAt: item.connectedAt as string,
});
