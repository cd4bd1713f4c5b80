import { LIMITS } from '../../lambdas/shared/protocol';

/** API Gateway WebSocket quotas the local gateway enforces; tests shrink them. */
export interface GatewayLimits {
  /** Largest frame a client may send, in bytes; a larger one closes the socket with 1009. Default 32 KB. */
  readonly frameBytes: number;
  /**
   * Largest message a client may send (a message may span frames) and largest `PostToConnection`
   * payload, in bytes. Default 128 KB.
   */
  readonly messageBytes: number;
  /** A connection with no traffic for this long is closed (1001). Default 10 minutes. */
  readonly idleTimeoutMs: number;
  /** A connection is closed (1001) after this long, whatever its traffic. Default 2 hours. */
  readonly maxConnectionMs: number;
}

export const AWS_GATEWAY_LIMITS: GatewayLimits = {
  frameBytes: LIMITS.frameBytes,
  messageBytes: LIMITS.messageBytes,
  idleTimeoutMs: 10 * 60 * 1000,
  maxConnectionMs: 2 * 60 * 60 * 1000,
};
