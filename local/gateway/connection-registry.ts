import type { Connection } from './connection';

/** The gateway's open connections by id. */
export class ConnectionRegistry {
  private readonly connections = new Map<string, Connection>();

  add(connection: Connection): void {
    this.connections.set(connection.connectionId, connection);
  }

  remove(connectionId: string): void {
    this.connections.delete(connectionId);
  }

  /** The connection, if it is still open: anything else is gone (410) for the @connections API. */
  get(connectionId: string): Connection | undefined {
    const connection = this.connections.get(connectionId);
    return connection?.isOpen ? connection : undefined;
  }

  all(): Connection[] {
    return [...this.connections.values()];
  }

  get size(): number {
    return this.connections.size;
  }
}
