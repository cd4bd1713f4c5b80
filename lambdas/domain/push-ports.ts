/**
 * What push notifications need from storage and from the push service. The adapters implement these
 * with DynamoDB and SNS; the domain never sees an AWS type.
 */

export type PushPlatform = 'APNS' | 'APNS_SANDBOX' | 'GCM';

export const PUSH_PLATFORMS: readonly PushPlatform[] = ['APNS', 'APNS_SANDBOX', 'GCM'];

/** One registered device of a user (`U#<userId>` / `P#<deviceId>`). */
export interface PushDevice {
  userId: string;
  deviceId: string;
  platform: PushPlatform;
  token: string;
  /** Absent while no platform application is configured for the platform (push off). */
  endpointArn?: string;
  /** Whether notifications show the sender and the start of the body. */
  preview: boolean;
  updatedAt: string;
}

export interface PushEndpointStore {
  /** One device's record (strongly consistent). */
  get(userId: string, deviceId: string): Promise<PushDevice | undefined>;
  /** Every registered device of a user (strongly consistent). */
  list(userId: string): Promise<PushDevice[]>;
  put(device: PushDevice): Promise<void>;
  /**
   * Deletes a device's record only while it still names `expected.endpointArn` (and, when given, was
   * last written at `expected.updatedAt`), so a registration that raced the deletion survives.
   * False when the record changed or is gone.
   */
  remove(
    userId: string,
    deviceId: string,
    expected: { endpointArn: string; updatedAt?: string },
  ): Promise<boolean>;
}

/** What a notification says; the gateway renders it for the device's platform. */
export interface PushNotification {
  conversationId: string;
  seq: number;
  title: string;
  body: string;
}

export type PublishOutcome = 'sent' | 'invalid';

export interface EnsuredEndpoint {
  endpointArn: string;
  /** The endpoint's CustomUserData before this call, when it named someone else (the token moved). */
  previousUserData?: string;
}

export interface PushGateway {
  /** Whether a platform application is configured for the platform (any platform when omitted). */
  isConfigured(platform?: PushPlatform): boolean;
  /**
   * A working, enabled endpoint for the token: `existingArn` kept and brought up to date when it still
   * exists, else created (or found, when the token already has one).
   */
  ensureEndpoint(
    platform: PushPlatform,
    token: string,
    customUserData: string,
    existingArn?: string,
  ): Promise<EnsuredEndpoint>;
  /** 'invalid' when the push service reports the endpoint disabled, malformed or gone. */
  publish(
    endpointArn: string,
    platform: PushPlatform,
    notification: PushNotification,
  ): Promise<PublishOutcome>;
  /** Idempotent. */
  deleteEndpoint(endpointArn: string): Promise<void>;
}

export interface PushCoalescer {
  /**
   * Takes the user's coalescing window for a conversation: true when no notification went to the user
   * for it in the last `windowSeconds`, and records `now` as the last one.
   */
  claim(userId: string, conversationId: string, windowSeconds: number, now: Date): Promise<boolean>;
  /** Gives back a claim taken at `claimedAt`, when nothing was sent under it. */
  release(userId: string, conversationId: string, claimedAt: Date): Promise<void>;
}
