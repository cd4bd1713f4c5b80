import { randomUUID } from 'node:crypto';

/** An SNS error, answered with its query-protocol code (the SDK maps `EndpointDisabled` to EndpointDisabledException). */
export class SnsError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'SnsError';
  }
}

export interface PlatformEndpoint {
  readonly endpointArn: string;
  readonly applicationArn: string;
  readonly platform: string;
  /** Token, Enabled, CustomUserData: as GetEndpointAttributes returns them. */
  readonly attributes: Record<string, string>;
}

/** One push notification the stand-in accepted, attributed by the endpoint's CustomUserData. */
export interface PushNotification {
  readonly messageId: string;
  readonly publishedAt: string;
  readonly endpointArn: string;
  readonly platform: string;
  readonly userId?: string;
  readonly deviceId?: string;
  readonly conversationId?: string;
  readonly seq?: number;
  /** What the platform would deliver: the message's entry for the platform (or `default`), parsed when JSON. */
  readonly payload: unknown;
  readonly message: string;
  readonly messageStructure?: string;
}

export interface PublishInput {
  readonly targetArn?: string;
  readonly topicArn?: string;
  readonly message: string;
  readonly messageStructure?: string;
}

const APPLICATION_ARN = /^arn:aws:sns:[^:]*:[^:]*:app\/([^/]+)\/([^/]+)$/;

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** The first value of a key anywhere in a parsed payload (push payloads nest it under aps or data). */
const findValue = (value: unknown, key: string): unknown => {
  if (typeof value !== 'object' || value === null) return undefined;
  if (!Array.isArray(value) && key in value) return (value as Record<string, unknown>)[key];
  for (const child of Object.values(value)) {
    const found = findValue(typeof child === 'string' ? parseJson(child) : child, key);
    if (found !== undefined) return found;
  }
  return undefined;
};

const ownerOf = (customUserData: string | undefined): { userId?: string; deviceId?: string } => {
  const data = parseJson(customUserData ?? '') as { userId?: unknown; deviceId?: unknown } | null;
  if (typeof data !== 'object' || data === null) return {};
  return {
    ...(typeof data.userId === 'string' ? { userId: data.userId } : {}),
    ...(typeof data.deviceId === 'string' ? { deviceId: data.deviceId } : {}),
  };
};

/**
 * A recording stand-in for SNS mobile push: platform applications and endpoints with SNS's rules
 * (one endpoint per token, disabled endpoints refuse publishes), and every accepted notification kept
 * in order. Nothing is delivered anywhere.
 */
export class SnsStandIn {
  private readonly applications = new Map<string, { platform: string; attributes: Record<string, string> }>();
  private readonly endpointsByArn = new Map<string, PlatformEndpoint>();
  private readonly published: PushNotification[] = [];

  constructor(private readonly options: { readonly region: string; readonly accountId: string }) {}

  createPlatformApplication(name: string, platform: string, attributes: Record<string, string> = {}): string {
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name))
      throw new SnsError('InvalidParameter', 400, 'Invalid parameter: Name');
    const arn = `arn:aws:sns:${this.options.region}:${this.options.accountId}:app/${platform}/${name}`;
    this.applications.set(arn, { platform, attributes });
    return arn;
  }

  /**
   * Creates the endpoint of a device token, or returns the existing one when the token and attributes
   * are the same. Unknown applications with a well-formed ARN are created on first use, so the
   * runtime works whatever application the configuration names.
   */
  createPlatformEndpoint(
    applicationArn: string,
    token: string,
    customUserData?: string,
    attributes: Record<string, string> = {},
  ): string {
    const platform = this.application(applicationArn).platform;
    if (!token) throw new SnsError('InvalidParameter', 400, 'Invalid parameter: Token');
    const wanted: Record<string, string> = {
      ...attributes,
      ...(customUserData === undefined ? {} : { CustomUserData: customUserData }),
    };
    const existing = [...this.endpointsByArn.values()].find(
      (endpoint) => endpoint.applicationArn === applicationArn && endpoint.attributes.Token === token,
    );
    if (existing) {
      const same = Object.entries(wanted).every(([key, value]) => (existing.attributes[key] ?? '') === value);
      if (same) return existing.endpointArn;
      throw new SnsError(
        'InvalidParameter',
        400,
        `Invalid parameter: Token Reason: Endpoint ${existing.endpointArn} already exists with the same Token, but different attributes.`,
      );
    }
    const name = applicationArn.split('/').slice(-1)[0];
    const endpointArn = `arn:aws:sns:${this.options.region}:${this.options.accountId}:endpoint/${platform}/${name}/${randomUUID()}`;
    this.endpointsByArn.set(endpointArn, {
      endpointArn,
      applicationArn,
      platform,
      attributes: { Enabled: 'true', ...wanted, Token: token },
    });
    return endpointArn;
  }

  getEndpointAttributes(endpointArn: string): Record<string, string> {
    return { ...this.endpoint(endpointArn).attributes };
  }

  setEndpointAttributes(endpointArn: string, attributes: Record<string, string>): void {
    Object.assign(this.endpoint(endpointArn).attributes, attributes);
  }

  /** Idempotent, as in SNS. */
  deleteEndpoint(endpointArn: string): void {
    this.endpointsByArn.delete(endpointArn);
  }

  /** What APNs or FCM feedback does to an endpoint whose token went stale. */
  disableEndpoint(endpointArn: string): void {
    this.endpoint(endpointArn).attributes.Enabled = 'false';
  }

  publish(input: PublishInput): string {
    if (!input.targetArn) {
      throw new SnsError(
        'InvalidParameter',
        400,
        'Invalid parameter: the local SNS stand-in publishes to TargetArn only',
      );
    }
    const endpoint = this.endpointsByArn.get(input.targetArn);
    if (!endpoint) throw new SnsError('NotFound', 404, 'Endpoint does not exist');
    if (endpoint.attributes.Enabled === 'false')
      throw new SnsError('EndpointDisabled', 400, 'Endpoint is disabled');
    const payload = this.platformPayload(input, endpoint.platform);
    const seq = Number(findValue(payload, 'seq'));
    const conversationId = findValue(payload, 'conversationId');
    const messageId = randomUUID();
    this.published.push({
      messageId,
      publishedAt: new Date().toISOString(),
      endpointArn: endpoint.endpointArn,
      platform: endpoint.platform,
      ...ownerOf(endpoint.attributes.CustomUserData),
      ...(typeof conversationId === 'string' ? { conversationId } : {}),
      ...(Number.isInteger(seq) ? { seq } : {}),
      payload,
      message: input.message,
      ...(input.messageStructure ? { messageStructure: input.messageStructure } : {}),
    });
    return messageId;
  }

  endpoints(): PlatformEndpoint[] {
    return [...this.endpointsByArn.values()].map((endpoint) => ({
      ...endpoint,
      attributes: { ...endpoint.attributes },
    }));
  }

  /** Accepted notifications, oldest first, optionally for one user (and device). */
  notifications(filter: { userId?: string; deviceId?: string } = {}): PushNotification[] {
    return this.published.filter(
      (notification) =>
        (filter.userId === undefined || notification.userId === filter.userId) &&
        (filter.deviceId === undefined || notification.deviceId === filter.deviceId),
    );
  }

  private application(applicationArn: string): { platform: string } {
    const known = this.applications.get(applicationArn);
    if (known) return known;
    const match = APPLICATION_ARN.exec(applicationArn);
    if (!match) throw new SnsError('InvalidParameter', 400, 'Invalid parameter: PlatformApplicationArn');
    const application = { platform: match[1] as string, attributes: {} };
    this.applications.set(applicationArn, application);
    return application;
  }

  private endpoint(endpointArn: string): PlatformEndpoint {
    const endpoint = this.endpointsByArn.get(endpointArn);
    if (!endpoint) throw new SnsError('NotFound', 404, 'Endpoint does not exist');
    return endpoint;
  }

  private platformPayload(input: PublishInput, platform: string): unknown {
    if (input.messageStructure !== 'json') return parseJson(input.message);
    const parsed = parseJson(input.message);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SnsError(
        'InvalidParameter',
        400,
        'Invalid parameter: Message Structure - JSON message body failed to parse',
      );
    }
    const entries = parsed as Record<string, unknown>;
    if (typeof entries.default !== 'string') {
      throw new SnsError(
        'InvalidParameter',
        400,
        'Invalid parameter: Message Structure - No default entry in JSON message body',
      );
    }
    const entry = entries[platform] ?? entries.default;
    return typeof entry === 'string' ? parseJson(entry) : entry;
  }
}
