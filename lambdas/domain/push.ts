import { logger } from '../shared/logger';
import type { Message } from '../shared/protocol';
import type { OfflineNotifier } from './fanout';
import { type Clock, systemClock } from './ports';
import { buildNotification } from './push-payload';
import type { PushCoalescer, PushDevice, PushEndpointStore, PushGateway, PushPlatform } from './push-ports';

export interface PushOptions {
  /** Window within which one offline user gets at most one notification per conversation (0 = none). */
  coalesceSeconds: number;
}

type DeviceOutcome = 'sent' | 'invalid' | { failed: unknown };

/** Who an endpoint belongs to, as its CustomUserData says (the local SNS stand-in reads it too). */
export const endpointUserData = (userId: string, deviceId: string): string =>
  JSON.stringify({ userId, deviceId });

const ownerOf = (userData: string | undefined): { userId: string; deviceId: string } | undefined => {
  try {
    const owner = JSON.parse(userData ?? '') as { userId?: unknown; deviceId?: unknown };
    if (typeof owner?.userId === 'string' && typeof owner.deviceId === 'string') {
      return { userId: owner.userId, deviceId: owner.deviceId };
    }
  } catch {
    // Not ours: nothing to clean up.
  }
  return undefined;
};

/**
 * Push notifications to members with no open connection, and the registration of devices.
 *
 * Delivery is at most once per coalescing window: the window is claimed per user and conversation
 * before publishing, so a stream retry never re-notifies a device that was notified. A claim under
 * which nothing was sent (every device failed) is given back, so the retry tries again.
 */
export class PushService implements OfflineNotifier {
  constructor(
    private readonly store: PushEndpointStore,
    private readonly gateway: PushGateway,
    private readonly coalescer: PushCoalescer,
    private readonly options: PushOptions,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Stores the device's token and makes sure it has one working, enabled SNS endpoint. `preview`
   * defaults to the device's current setting (true for a new device).
   */
  async register(
    userId: string,
    deviceId: string,
    platform: PushPlatform,
    token: string,
    preview?: boolean,
  ): Promise<void> {
    const existing = await this.store.get(userId, deviceId);
    const device: PushDevice = {
      userId,
      deviceId,
      platform,
      token,
      preview: preview ?? existing?.preview ?? true,
      updatedAt: this.clock.now().toISOString(),
    };
    if (!this.gateway.isConfigured(platform)) {
      await this.store.put(device);
      logger.info('push token stored without an endpoint: no platform application', {
        userId,
        deviceId,
        platform,
      });
      return;
    }
    // One endpoint per device: a device that moved to another platform leaves its old endpoint behind.
    const reusable = existing?.platform === platform ? existing.endpointArn : undefined;
    if (existing?.endpointArn && !reusable) await this.gateway.deleteEndpoint(existing.endpointArn);

    const userData = endpointUserData(userId, deviceId);
    const ensured = await this.gateway.ensureEndpoint(platform, token, userData, reusable);
    await this.store.put({ ...device, endpointArn: ensured.endpointArn });

    // The token now belongs to this device: its previous owner must stop getting this device's pushes.
    const previous = ownerOf(ensured.previousUserData);
    if (previous && (previous.userId !== userId || previous.deviceId !== deviceId)) {
      await this.store.remove(previous.userId, previous.deviceId, { endpointArn: ensured.endpointArn });
      logger.info('push endpoint taken over from another device', {
        userId,
        deviceId,
        previousUserId: previous.userId,
        previousDeviceId: previous.deviceId,
      });
    }
    logger.info('push device registered', { userId, deviceId, platform, endpointArn: ensured.endpointArn });
  }

  /**
   * Notifies every device of the given offline members, the sender excepted, once per coalescing
   * window per conversation. One failing device never stops the others; an invalid endpoint is deleted;
   * any other failure is thrown after every user was tried, so the stream retries.
   */
  async notify(userIds: string[], message: Message): Promise<void> {
    if (!this.gateway.isConfigured()) return;
    const recipients = [...new Set(userIds)].filter((userId) => userId !== message.senderId);
    if (recipients.length === 0 || buildNotification(message, false) === undefined) return;
    const results = await Promise.allSettled(recipients.map((userId) => this.notifyUser(userId, message)));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async notifyUser(userId: string, message: Message): Promise<void> {
    const devices = (await this.store.list(userId)).filter((device) => device.endpointArn !== undefined);
    if (devices.length === 0) return;

    const now = this.clock.now();
    const windowSeconds = this.options.coalesceSeconds;
    if (
      windowSeconds > 0 &&
      !(await this.coalescer.claim(userId, message.conversationId, windowSeconds, now))
    ) {
      logger.debug('push coalesced', { userId, conversationId: message.conversationId, seq: message.seq });
      return;
    }

    const outcomes = await Promise.all(devices.map((device) => this.notifyDevice(device, message)));
    const failures = outcomes
      .filter((outcome) => typeof outcome === 'object')
      .map((outcome) => outcome.failed);
    if (failures.length === 0) return;
    if (windowSeconds > 0 && !outcomes.includes('sent')) {
      await this.coalescer.release(userId, message.conversationId, now);
    }
    throw failures[0];
  }

  private async notifyDevice(device: PushDevice, message: Message): Promise<DeviceOutcome> {
    const endpointArn = device.endpointArn as string;
    const notification = buildNotification(message, device.preview);
    if (!notification) return 'sent';
    try {
      const outcome = await this.gateway.publish(endpointArn, device.platform, notification);
      if (outcome === 'sent') return 'sent';
      await this.forget(device, endpointArn);
      return 'invalid';
    } catch (error) {
      logger.error('push to a device failed', {
        userId: device.userId,
        deviceId: device.deviceId,
        conversationId: message.conversationId,
        seq: message.seq,
        error,
      });
      return { failed: error };
    }
  }

  /** Deletes an endpoint the push service refused, unless the device registered again meanwhile. */
  private async forget(device: PushDevice, endpointArn: string): Promise<void> {
    const removed = await this.store.remove(device.userId, device.deviceId, {
      endpointArn,
      updatedAt: device.updatedAt,
    });
    if (removed) await this.gateway.deleteEndpoint(endpointArn);
    logger.info('push endpoint invalid', {
      userId: device.userId,
      deviceId: device.deviceId,
      endpointArn,
      removed,
    });
  }
}
