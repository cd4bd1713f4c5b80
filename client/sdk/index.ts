export type {
  Action,
  Answer,
  Conversation,
  ErrorFrame,
  Message,
  Presence,
  ServerEvent,
  ServerFrame,
} from '../../lambdas/shared/protocol';
export { Backoff, type BackoffOptions, backoffCeiling, fullJitterDelay } from './backoff';
export { ConversationStore, type ConversationView } from './conversation-store';
export { Emitter, type Listener } from './emitter';
export { type ClientErrorCode, isRetryable, MessengerError } from './errors';
export { randomId } from './ids';
export { messageText } from './message-text';
export {
  type ConnectionStatus,
  connect,
  MessengerClient,
  type MessengerClientOptions,
  type MessengerEvents,
  type RequestOptions,
} from './messenger-client';
export { Outbox, type OutboxChange, type TransmitOutcome } from './outbox';
export { ANSWER_TYPE, type AnswerTo, type RequestParams } from './requests';
export type { ClientStorage, OutboxEntry, StoredConversation } from './storage/client-storage';
export { IndexedDbStorage, type IndexedDbStorageOptions } from './storage/indexeddb';
export { MemoryStorage } from './storage/memory';
export {
  type ConnectReason,
  ReconnectingSocket,
  type ReconnectingSocketOptions,
  type SocketStatus,
  type TokenProvider,
  type TokenRequest,
} from './transport/reconnecting-socket';
export type { CloseInfo, WebSocketConstructor, WebSocketLike } from './transport/websocket-like';
