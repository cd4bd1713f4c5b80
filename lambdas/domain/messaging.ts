import { ContentionError, ForbiddenError, NotFoundError, RateLimitedError } from '../shared/errors';
import { logger } from '../shared/logger';
import type { Message } from '../shared/protocol';
import { type BackoffPolicy, sleep } from './backoff';
import { type Clock, isActive, type MessageLog, type RateLimit, systemClock } from './ports';

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
  /** True when this was a resend answered from the dedupe record. */
  duplicate: boolean;
}

/**
 * Contention backoff that favours the oldest contender: the longer a send has been losing, the
 * sooner it tries again, so no sender starves behind newcomers (plain exponential backoff does the
 * opposite under sustained contention).
 */
export const agingDelay = (policy: BackoffPolicy, attempt: number): number =>
  Math.floor(Math.random() * Math.max(policy.baseMs, policy.capMs / attempt));

export const DEFAULT_SEND_BACKOFF: BackoffPolicy = { maxAttempts: 50, baseMs: 4, capMs: 200 };

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
    for (let attempt = 0; attempt < this.backoff.maxAttempts; attempt++) {
      if (attempt > 0) await sleep(agingDelay(this.backoff, attempt));
      let lastSeq = knownLastSeq;
      if (lastSeq === undefined) {
        const state = await this.log.readSendState(conversationId, senderId, clientMessageId);
        if (state.existing) return { conversationId, clientMessageId, ...state.existing, duplicate: true };
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
            duplicate: false,
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
          throw new RateLimitedError('Too many messages; slow down');
      }
    }
    logger.warn('send contention outlasted retries', { conversationId, attempts: this.backoff.maxAttempts });
    throw new ContentionError('The conversation is busy; resend with the same clientMessageId');
  }
}
