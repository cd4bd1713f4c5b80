import type {
  Conversation,
  ErrorCodeName,
  Message,
  ServerEvent,
  ServerFrame,
} from '../../../../lambdas/shared/protocol';
import { type FakeNetwork, FakeSocket } from './fake-network';

type Frame = Record<string, unknown>;

interface Room {
  conversation: Omit<Conversation, 'readSeq'>;
  messages: Message[];
  readSeqs: Map<string, number>;
}

export interface FakeServerOptions {
  /** Accept handshakes by itself (on a microtask). Default true. */
  readonly autoAccept?: boolean;
}

/**
 * An in-memory server speaking the wire protocol over FakeSockets: enough of the real semantics
 * (gapless seqs, dedupe by sender + clientMessageId, fan-out to every connection of every member,
 * strongly consistent sync) to test the SDK, with knobs to drop events, fail requests or go silent.
 */
export class FakeServer {
  readonly rooms = new Map<string, Room>();
  private readonly dedupe = new Map<string, Message>();
  private clock = Date.parse('2030-01-01T00:00:00Z');
  /** Events for which this returns false are not delivered to that socket. */
  deliverEvent: (socket: FakeSocket, event: ServerEvent) => boolean = () => true;
  /** Errors to answer the next requests of an action with, in order. */
  readonly failNext = new Map<string, ErrorCodeName[]>();
  /** Picks an error to answer a request with instead of handling it. */
  failWhen: (frame: Frame) => ErrorCodeName | undefined = () => undefined;
  /** Sent as `retryAfterMs` with injected RATE_LIMITED answers. */
  retryAfterMs: number | undefined = undefined;
  /** When true, requests get no answer at all (a half-open connection). */
  silent = false;
  /**
   * Sees every answer before it is sent; returning false withholds it (the test may call `deliver`
   * later, or never, as when a connection dies between commit and ack).
   */
  answerFilter: (socket: FakeSocket, frame: Frame, deliver: () => void) => boolean = () => true;
  /** While false, new handshakes are refused (the network is down). */
  accepting = true;
  /** Every request received, with the socket it came on. */
  readonly log: { socket: FakeSocket; frame: Frame }[] = [];

  constructor(
    readonly network: FakeNetwork,
    options: FakeServerOptions = {},
  ) {
    network.onCreate = (socket) => {
      if (!(options.autoAccept ?? true)) return;
      void Promise.resolve().then(() => (this.accepting ? socket.accept() : socket.refuse()));
    };
    network.onSend = (socket, frame) => {
      this.log.push({ socket, frame });
      void Promise.resolve().then(() => this.handle(socket, frame));
    };
  }

  userOf(socket: FakeSocket): string {
    const token = socket.token ?? '';
    // Test tokens look like `<userId>.<anything>`.
    return token.split('.')[0] ?? '';
  }

  directId(a: string, b: string): string {
    return `dm:${[a, b].sort().join(':')}`;
  }

  /** Stores a message as if sent from elsewhere; fans it out like the real thing. */
  append(
    conversationId: string,
    senderId: string,
    body: string,
    clientMessageId = `srv-${Math.random()}`,
  ): Message {
    const room = this.room(conversationId);
    const message: Message = {
      conversationId,
      seq: room.messages.length + 1,
      senderId,
      clientMessageId,
      body,
      sentAt: new Date(this.tick()).toISOString(),
      kind: 'text',
    };
    room.messages.push(message);
    room.conversation.lastSeq = message.seq;
    this.dedupe.set(`${senderId}|${conversationId}|${clientMessageId}`, message);
    this.fanOut(room, { type: 'message', message });
    return message;
  }

  private tick(): number {
    this.clock += 1000;
    return this.clock;
  }

  createDirect(a: string, b: string): string {
    const id = this.directId(a, b);
    if (!this.rooms.has(id)) {
      this.rooms.set(id, {
        conversation: { conversationId: id, kind: 'direct', memberIds: [a, b].sort(), lastSeq: 0 },
        messages: [],
        readSeqs: new Map(),
      });
    }
    return id;
  }

  room(conversationId: string): Room {
    const room = this.rooms.get(conversationId);
    if (!room) throw new Error(`no conversation ${conversationId}`);
    return room;
  }

  requests(action: string): Frame[] {
    return this.log.filter((entry) => entry.frame.action === action).map((entry) => entry.frame);
  }

  private view(room: Room, userId: string): Conversation {
    return {
      ...room.conversation,
      memberIds: [...room.conversation.memberIds],
      readSeq: room.readSeqs.get(userId) ?? 0,
    };
  }

  private fanOut(room: Room, event: ServerEvent, except?: string): void {
    for (const socket of this.network.open) {
      const user = this.userOf(socket);
      if (!room.conversation.memberIds.includes(user) || user === except) continue;
      if (this.deliverEvent(socket, event)) socket.push(event);
    }
  }

  private handle(socket: FakeSocket, frame: Frame): void {
    if (this.silent || socket.readyState !== 1) return;
    const requestId = String(frame.requestId);
    const reply = (answer: Record<string, unknown>) => {
      const deliver = () => socket.push({ ...answer, requestId } as ServerFrame);
      if (this.answerFilter(socket, frame, deliver)) deliver();
    };
    const failures = this.failNext.get(String(frame.action));
    const failure = failures?.shift() ?? this.failWhen(frame);
    if (failure) {
      const retryAfter = failure === 'RATE_LIMITED' && this.retryAfterMs !== undefined;
      reply({
        type: 'error',
        code: failure,
        message: 'injected',
        ...(retryAfter ? { retryAfterMs: this.retryAfterMs } : {}),
      });
      return;
    }
    const answer = this.answer(this.userOf(socket), frame);
    if (answer) reply(answer);
  }

  /** The answer to one request (events it causes are fanned out first). */
  private answer(user: string, frame: Frame): Record<string, unknown> {
    switch (frame.action) {
      case 'ping':
        return { type: 'pong' };
      case 'openDirect': {
        const id = this.createDirect(user, String(frame.userId));
        return { type: 'conversation', conversation: this.view(this.room(id), user) };
      }
      case 'listConversations': {
        const conversations = [...this.rooms.values()]
          .filter((room) => room.conversation.memberIds.includes(user))
          .map((room) => this.view(room, user));
        return { type: 'conversations', conversations };
      }
      case 'sendMessage': {
        const conversationId = String(frame.conversationId);
        const room = this.rooms.get(conversationId);
        if (!room?.conversation.memberIds.includes(user)) {
          return { type: 'error', code: 'FORBIDDEN', message: 'not a member' };
        }
        const key = `${user}|${conversationId}|${String(frame.clientMessageId)}`;
        const message =
          this.dedupe.get(key) ??
          this.append(conversationId, user, String(frame.body), String(frame.clientMessageId));
        return {
          type: 'ack',
          conversationId,
          clientMessageId: message.clientMessageId,
          seq: message.seq,
          sentAt: message.sentAt,
        };
      }
      case 'sync': {
        const room = this.room(String(frame.conversationId));
        const afterSeq = Number(frame.afterSeq);
        const limit = Number(frame.limit ?? 100);
        const after = room.messages.filter((m) => m.seq > afterSeq);
        return {
          type: 'messages',
          conversationId: room.conversation.conversationId,
          messages: after.slice(0, limit),
          lastSeq: room.conversation.lastSeq,
          hasMore: after.length > limit,
        };
      }
      case 'history': {
        const room = this.room(String(frame.conversationId));
        const below = room.messages.filter((m) => m.seq < Number(frame.beforeSeq));
        const limit = Number(frame.limit ?? 50);
        return {
          type: 'messages',
          conversationId: room.conversation.conversationId,
          messages: below.slice(Math.max(0, below.length - limit)),
          lastSeq: room.conversation.lastSeq,
          hasMore: below.length > limit,
        };
      }
      case 'markRead': {
        const room = this.room(String(frame.conversationId));
        const seq = Number(frame.seq);
        if (seq > (room.readSeqs.get(user) ?? 0)) room.readSeqs.set(user, seq);
        this.fanOut(room, {
          type: 'receipt',
          conversationId: room.conversation.conversationId,
          userId: user,
          readSeq: room.readSeqs.get(user) ?? 0,
        });
        return { type: 'ok' };
      }
      case 'typing': {
        const room = this.room(String(frame.conversationId));
        this.fanOut(
          room,
          { type: 'typing', conversationId: room.conversation.conversationId, userId: user },
          user,
        );
        return { type: 'ok' };
      }
      case 'getPresence': {
        const users = (frame.userIds as string[]).map((userId) => ({
          userId,
          status: this.network.open.some((s) => this.userOf(s) === userId) ? 'online' : 'offline',
          lastSeen: null,
        }));
        return { type: 'presence', users };
      }
      default:
        return { type: 'error', code: 'BAD_REQUEST', message: 'unknown action' };
    }
  }
}

export { FakeSocket };
