import type { Message } from '../../../lambdas/shared/protocol';
import type { ClientStorage, OutboxEntry, StoredConversation } from './client-storage';

const VERSION = 1;
const CONVERSATIONS = 'conversations';
const MESSAGES = 'messages';
const OUTBOX = 'outbox';

export interface IndexedDbStorageOptions {
  /** Database name; use one per user and device, e.g. `messenger:alice:tab-3`. */
  readonly name: string;
  /** Default: the global indexedDB. */
  readonly indexedDB?: IDBFactory;
}

const done = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });

const result = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/** Browser storage: history and the outbox survive a reload. */
export class IndexedDbStorage implements ClientStorage {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(options: IndexedDbStorageOptions): Promise<IndexedDbStorage> {
    const factory = options.indexedDB ?? globalThis.indexedDB;
    if (!factory) throw new TypeError('IndexedDB is not available here');
    const request = factory.open(options.name, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(CONVERSATIONS)) {
        db.createObjectStore(CONVERSATIONS, { keyPath: 'conversationId' });
      }
      if (!db.objectStoreNames.contains(MESSAGES)) {
        db.createObjectStore(MESSAGES, { keyPath: ['conversationId', 'seq'] });
      }
      if (!db.objectStoreNames.contains(OUTBOX)) {
        db.createObjectStore(OUTBOX, { keyPath: 'clientMessageId' });
      }
    };
    return new IndexedDbStorage(await result(request));
  }

  async loadConversations(): Promise<StoredConversation[]> {
    const tx = this.db.transaction(CONVERSATIONS, 'readonly');
    return result(tx.objectStore(CONVERSATIONS).getAll() as IDBRequest<StoredConversation[]>);
  }

  async loadMessages(conversationId: string, beforeSeq: number, limit: number): Promise<Message[]> {
    const tx = this.db.transaction(MESSAGES, 'readonly');
    const range = IDBKeyRange.bound([conversationId, -Infinity], [conversationId, beforeSeq], false, true);
    const cursorRequest = tx.objectStore(MESSAGES).openCursor(range, 'prev');
    const newestFirst: Message[] = [];
    await new Promise<void>((resolve, reject) => {
      cursorRequest.onerror = () => reject(cursorRequest.error);
      cursorRequest.onsuccess = () => {
        const cursor = cursorRequest.result;
        if (!cursor || newestFirst.length >= limit) {
          resolve();
          return;
        }
        newestFirst.push(cursor.value as Message);
        cursor.continue();
      };
    });
    return newestFirst.reverse();
  }

  async saveConversation(state: StoredConversation, messages: readonly Message[]): Promise<void> {
    const tx = this.db.transaction([CONVERSATIONS, MESSAGES], 'readwrite');
    tx.objectStore(CONVERSATIONS).put(state);
    const store = tx.objectStore(MESSAGES);
    for (const message of messages) store.put(message);
    await done(tx);
  }

  async loadOutbox(): Promise<OutboxEntry[]> {
    const tx = this.db.transaction(OUTBOX, 'readonly');
    return result(tx.objectStore(OUTBOX).getAll() as IDBRequest<OutboxEntry[]>);
  }

  async putOutboxEntry(entry: OutboxEntry): Promise<void> {
    const tx = this.db.transaction(OUTBOX, 'readwrite');
    tx.objectStore(OUTBOX).put(entry);
    await done(tx);
  }

  async deleteOutboxEntry(clientMessageId: string): Promise<void> {
    const tx = this.db.transaction(OUTBOX, 'readwrite');
    tx.objectStore(OUTBOX).delete(clientMessageId);
    await done(tx);
  }

  close(): void {
    this.db.close();
  }
}
