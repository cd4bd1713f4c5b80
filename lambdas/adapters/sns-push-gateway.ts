import {
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  GetEndpointAttributesCommand,
  PublishCommand,
  SetEndpointAttributesCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { snsMessage } from '../domain/push-payload';
import {
  type EnsuredEndpoint,
  PUSH_PLATFORMS,
  type PublishOutcome,
  type PushGateway,
  type PushNotification,
  type PushPlatform,
} from '../domain/push-ports';

/** CreatePlatformEndpoint's answer when the token has an endpoint whose attributes differ from ours. */
const EXISTING_ENDPOINT = /Endpoint (arn:aws:sns:\S+) already exists with the same [Tt]oken/;
/** InvalidParameter about the target (a malformed or deleted endpoint), not about our message. */
const INVALID_TARGET = /TargetArn|endpoint/i;
/** Bounds the loop when an endpoint is deleted while we update it. */
const MAX_ATTEMPTS = 3;

type SdkError = { name?: string; message?: string };
const nameOf = (error: unknown): string | undefined => (error as SdkError).name;

/**
 * SNS mobile push, following AWS's token-management pseudo code: create the endpoint once, then read
 * its attributes and bring the token up to date and re-enable it when needed; an endpoint that no
 * longer exists is created again.
 */
export class SnsPushGateway implements PushGateway {
  private readonly applications: Partial<Record<PushPlatform, string>>;

  /** `platformApplications`: platform → platform application ARN; platforms left out are off. */
  constructor(
    private readonly client: SNSClient,
    platformApplications: Record<string, string>,
  ) {
    this.applications = Object.fromEntries(
      PUSH_PLATFORMS.filter((platform) => platformApplications[platform]).map((platform) => [
        platform,
        platformApplications[platform],
      ]),
    );
  }

  isConfigured(platform?: PushPlatform): boolean {
    return platform === undefined
      ? Object.keys(this.applications).length > 0
      : Boolean(this.applications[platform]);
  }

  async ensureEndpoint(
    platform: PushPlatform,
    token: string,
    customUserData: string,
    existingArn?: string,
  ): Promise<EnsuredEndpoint> {
    const applicationArn = this.applications[platform];
    if (!applicationArn) throw new Error(`No SNS platform application is configured for ${platform}`);
    let endpointArn = existingArn;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      endpointArn ??= await this.createEndpoint(applicationArn, token, customUserData);
      const attributes = await this.attributes(endpointArn);
      if (!attributes) {
        endpointArn = undefined;
        continue;
      }
      const stale =
        attributes.Token !== token ||
        attributes.Enabled !== 'true' ||
        attributes.CustomUserData !== customUserData;
      if (
        stale &&
        !(await this.update(endpointArn, { Token: token, Enabled: 'true', CustomUserData: customUserData }))
      ) {
        endpointArn = undefined;
        continue;
      }
      const previous = attributes.CustomUserData;
      return {
        endpointArn,
        ...(previous && previous !== customUserData ? { previousUserData: previous } : {}),
      };
    }
    throw new Error(
      `The SNS endpoint of a ${platform} token vanished ${MAX_ATTEMPTS} times while being registered`,
    );
  }

  async publish(
    endpointArn: string,
    platform: PushPlatform,
    notification: PushNotification,
  ): Promise<PublishOutcome> {
    try {
      await this.client.send(
        new PublishCommand({
          TargetArn: endpointArn,
          MessageStructure: 'json',
          Message: snsMessage(platform, notification),
        }),
      );
      return 'sent';
    } catch (error) {
      const name = nameOf(error);
      if (name === 'EndpointDisabledException' || name === 'NotFoundException') return 'invalid';
      if (name === 'InvalidParameterException' && INVALID_TARGET.test((error as SdkError).message ?? '')) {
        return 'invalid';
      }
      throw error;
    }
  }

  async deleteEndpoint(endpointArn: string): Promise<void> {
    try {
      await this.client.send(new DeleteEndpointCommand({ EndpointArn: endpointArn }));
    } catch (error) {
      if (nameOf(error) !== 'NotFoundException') throw error;
    }
  }

  /** CreatePlatformEndpoint is idempotent for the same token and attributes; with other attributes it names the existing endpoint. */
  private async createEndpoint(
    applicationArn: string,
    token: string,
    customUserData: string,
  ): Promise<string> {
    try {
      const { EndpointArn } = await this.client.send(
        new CreatePlatformEndpointCommand({
          PlatformApplicationArn: applicationArn,
          Token: token,
          CustomUserData: customUserData,
        }),
      );
      if (!EndpointArn) throw new Error('CreatePlatformEndpoint answered without an EndpointArn');
      return EndpointArn;
    } catch (error) {
      const existing =
        nameOf(error) === 'InvalidParameterException'
          ? EXISTING_ENDPOINT.exec((error as SdkError).message ?? '')?.[1]
          : undefined;
      if (existing) return existing;
      throw error;
    }
  }

  /** The endpoint's attributes, or undefined when it no longer exists. */
  private async attributes(endpointArn: string): Promise<Record<string, string> | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new GetEndpointAttributesCommand({ EndpointArn: endpointArn }),
      );
      return Attributes ?? {};
    } catch (error) {
      if (nameOf(error) === 'NotFoundException') return undefined;
      throw error;
    }
  }

  /** False when the endpoint no longer exists. */
  private async update(endpointArn: string, attributes: Record<string, string>): Promise<boolean> {
    try {
      await this.client.send(
        new SetEndpointAttributesCommand({ EndpointArn: endpointArn, Attributes: attributes }),
      );
      return true;
    } catch (error) {
      if (nameOf(error) === 'NotFoundException') return false;
      throw error;
    }
  }
}
