import { ContentionError, ForbiddenError, NotFoundError, RateLimitedError } from '../shared/errors';
import { logger } from '../shared/logger';
import type { Message } from '../shared/protocol';
import { type BackoffPolicy, retrySchedule } from './backoff';
import {
  type Clock,
  isActive,
  type MessageLog,
  quotaRetryAfterMs,
  type RateLimit,
  systemClock,
} from './ports';

export interface SendRequest {
  conversationId: string;
  clientMessageId: string;
  body: string;
}

export interface SendResult {
  conversationId: string;
  clientMessageId: string;
  seq: number;
  sentAt: string;
}

/**
 * Contention backoff: exponential with full jitter, which wastes the fewest transactions (about 1.7
 * per message with 20 senders racing in one conversation, against about 10 for a backoff that shrinks
 * with age), bounded by a time budget well inside API Gateway's 29 s integration timeout. A send that
 * runs out answers CONFLICT; the client's resend starts afresh and is answered from the dedupe record
 * if an earlier attempt did commit.
 */
export const DEFAULT_SEND_BACKOFF: BackoffPolicy = {
  maxAttempts: 400,
  baseMs: 5,
  capMs: 250,
  budgetMs: 10_000,
};

/** Messages per user per window, counted in the send transaction itself. */
export const DEFAULT_SEND_QUOTA: RateLimit = { bucket: 'send', limit: 100, windowSeconds: 10 };

/**
 * The send path: a gapless per-conversation seq assigned by one conditional transaction.
 * A lost race retries with bounded backoff; a resend is answered with the stored seq.
 */
export class MessagingService {
  constructor(
    private readonly log: MessageLog,
    private readonly clock: Clock = systemClock,
    private readonly quota: RateLimit | null = DEFAULT_SEND_QUOTA,
    private readonly backoff: BackoffPolicy = DEFAULT_SEND_BACKOFF,
  ) {}

  async send(senderId: string, request: SendRequest): Promise<SendResult> {
    const { conversationId, clientMessageId } = request;
    let knownLastSeq: number | undefined;
    const retry = retrySchedule(this.backoff);
    for (let attempt = 0; await retry(attempt); attempt++) {
      let lastSeq = knownLastSeq;
      if (lastSeq === undefined) {
        const state = await this.log.readSendState(conversationId, senderId, clientMessageId);
        if (state.existing) return { conversationId, clientMessageId, ...state.existing };
        if (!state.head) throw new NotFoundError('No such conversation', { context: { conversationId } });
        if (!isActive(state.membership)) throw new ForbiddenError('Not a member of this conversation');
        lastSeq = state.head.lastSeq;
      }
      const message: Message = {
        conversationId,
        seq: lastSeq + 1,
        senderId,
        clientMessageId,
        body: request.body,
        sentAt: this.clock.now().toISOString(),
        kind: 'text',
      };
      const outcome = await this.log.append(lastSeq, message, this.quota ?? undefined);
      switch (outcome.kind) {
        case 'appended':
          return {
            conversationId,
            clientMessageId,
            seq: message.seq,
            sentAt: message.sentAt,
          };
        case 'seq-taken':
          knownLastSeq = outcome.lastSeq;
          break;
        case 'duplicate':
          knownLastSeq = undefined;
          break;
        case 'not-member':
          throw new ForbiddenError('Not a member of this conversation');
        case 'rate-limited':
          throw new RateLimitedError('Too many messages; slow down', {
            retryAfterMs: this.quota ? quotaRetryAfterMs(this.quota, new Date(message.sentAt)) : undefined,
          });
      }
    }
    logger.warn('send contention outlasted the retry budget', { conversationId });
    throw new ContentionError('The conversation is busy; resend with the same clientMessageId');
  }
}
