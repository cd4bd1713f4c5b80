import { RateLimitedError } from '../shared/errors';
import type { Presence } from '../shared/protocol';
import {
  type Clock,
  type ConnectionRecord,
  type ConnectionRegistry,
  type PresenceStore,
  systemClock,
} from './ports';

/** Open connections one user may hold at once (devices and tabs). */
export const DEFAULT_CONNECTION_CAP = 20;

/**
 * Presence: a user is online while at least one connection is open. Connections carry their expiry,
 * so one that vanished without $disconnect and without a 410 stops counting when API Gateway's
 * 2-hour limit has passed, even before DynamoDB's TTL deletes it.
 */
export class PresenceService {
  constructor(
    private readonly connections: ConnectionRegistry,
    private readonly store: PresenceStore,
    private readonly clock: Clock = systemClock,
    private readonly connectionCap: number = DEFAULT_CONNECTION_CAP,
  ) {}

  async connect(connection: ConnectionRecord): Promise<void> {
    if (!(await this.connections.add(connection, this.connectionCap))) {
      throw new RateLimitedError(`At most ${this.connectionCap} open connections per user`);
    }
  }

  disconnect(userId: string, connectionId: string): Promise<void> {
    return this.connections.remove(userId, connectionId);
  }

  async get(userIds: string[]): Promise<Presence[]> {
    const unique = [...new Set(userIds)];
    const records = new Map((await this.store.read(unique)).map((record) => [record.userId, record]));
    const nowSeconds = this.clock.now().getTime() / 1000;
    return unique.map((userId) => {
      const record = records.get(userId);
      const online = Object.values(record?.connections ?? {}).some((expiresAt) => expiresAt > nowSeconds);
      return { userId, status: online ? 'online' : 'offline', lastSeen: record?.lastSeen ?? null };
    });
  }
}
