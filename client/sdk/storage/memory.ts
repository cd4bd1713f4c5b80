import type { Message } from '../../../lambdas/shared/protocol';
import type { ClientStorage, OutboxEntry, StoredConversation } from './client-storage';

/** The default storage: everything in this process, gone when it ends. */
export class MemoryStorage implements ClientStorage {
  private readonly conversations = new Map<string, StoredConversation>();
  private readonly messages = new Map<string, Map<number, Message>>();
  private readonly outbox = new Map<string, OutboxEntry>();

  async loadConversations(): Promise<StoredConversation[]> {
    return [...this.conversations.values()];
  }

  async loadMessages(conversationId: string, beforeSeq: number, limit: number): Promise<Message[]> {
    const byseq = this.messages.get(conversationId);
    if (!byseq) return [];
    const below = [...byseq.values()].filter((m) => m.seq < beforeSeq).sort((a, b) => a.seq - b.seq);
    return below.slice(Math.max(0, below.length - limit));
  }

  async saveConversation(state: StoredConversation, messages: readonly Message[]): Promise<void> {
    this.conversations.set(state.conversationId, state);
    let byseq = this.messages.get(state.conversationId);
    if (!byseq) {
      byseq = new Map();
      this.messages.set(state.conversationId, byseq);
    }
    for (const message of messages) byseq.set(message.seq, message);
  }

  async loadOutbox(): Promise<OutboxEntry[]> {
    return [...this.outbox.values()];
  }

  async putOutboxEntry(entry: OutboxEntry): Promise<void> {
    this.outbox.set(entry.clientMessageId, entry);
  }

  async deleteOutboxEntry(clientMessageId: string): Promise<void> {
    this.outbox.delete(clientMessageId);
  }

  close(): void {}
}
