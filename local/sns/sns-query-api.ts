import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SnsError, type SnsStandIn } from './sns-stand-in';

const NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

const escapeXml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

const element = (name: string, value: string): string => `<${name}>${escapeXml(value)}</${name}>`;

const attributesXml = (attributes: Record<string, string>): string =>
  `<Attributes>${Object.entries(attributes)
    .map(([key, value]) => `<entry>${element('key', key)}${element('value', value)}</entry>`)
    .join('')}</Attributes>`;

/** `Attributes.entry.N.key` / `Attributes.entry.N.value` pairs of a query request. */
const readMap = (params: URLSearchParams, prefix: string): Record<string, string> => {
  const map: Record<string, string> = {};
  for (const [name, key] of params) {
    const match = new RegExp(`^${prefix}\\.entry\\.(\\d+)\\.key$`).exec(name);
    if (match) map[key] = params.get(`${prefix}.entry.${match[1]}.value`) ?? '';
  }
  return map;
};

const required = (params: URLSearchParams, name: string): string => {
  const value = params.get(name);
  if (value === null) throw new SnsError('InvalidParameter', 400, `Invalid parameter: ${name}`);
  return value;
};

/**
 * The SNS Query API (form-encoded POST, XML answers) over the stand-in: what the real `SNSClient`
 * speaks when its endpoint points here.
 */
export class SnsQueryApi {
  constructor(private readonly sns: SnsStandIn) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = params.get('Action') ?? '';
    const requestId = randomUUID();
    try {
      const result = this.perform(action, params);
      this.send(
        response,
        200,
        `<${action}Response xmlns="${NAMESPACE}">${result === undefined ? '' : `<${action}Result>${result}</${action}Result>`}` +
          `<ResponseMetadata>${element('RequestId', requestId)}</ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      const failure =
        error instanceof SnsError
          ? error
          : new SnsError('InternalError', 500, 'The local SNS stand-in failed');
      this.send(
        response,
        failure.statusCode,
        `<ErrorResponse xmlns="${NAMESPACE}"><Error>${element('Type', failure.statusCode >= 500 ? 'Receiver' : 'Sender')}` +
          `${element('Code', failure.code)}${element('Message', failure.message)}</Error>${element('RequestId', requestId)}</ErrorResponse>`,
      );
    }
  }

  /** The action's Result element content, or undefined for actions that answer only metadata. */
  private perform(action: string, params: URLSearchParams): string | undefined {
    switch (action) {
      case 'CreatePlatformApplication':
        return element(
          'PlatformApplicationArn',
          this.sns.createPlatformApplication(
            required(params, 'Name'),
            required(params, 'Platform'),
            readMap(params, 'Attributes'),
          ),
        );
      case 'CreatePlatformEndpoint':
        return element(
          'EndpointArn',
          this.sns.createPlatformEndpoint(
            required(params, 'PlatformApplicationArn'),
            required(params, 'Token'),
            params.get('CustomUserData') ?? undefined,
            readMap(params, 'Attributes'),
          ),
        );
      case 'GetEndpointAttributes':
        return attributesXml(this.sns.getEndpointAttributes(required(params, 'EndpointArn')));
      case 'SetEndpointAttributes':
        this.sns.setEndpointAttributes(required(params, 'EndpointArn'), readMap(params, 'Attributes'));
        return undefined;
      case 'DeleteEndpoint':
        this.sns.deleteEndpoint(required(params, 'EndpointArn'));
        return undefined;
      case 'Publish':
        return element(
          'MessageId',
          this.sns.publish({
            targetArn: params.get('TargetArn') ?? undefined,
            topicArn: params.get('TopicArn') ?? undefined,
            message: required(params, 'Message'),
            messageStructure: params.get('MessageStructure') ?? undefined,
          }),
        );
      default:
        throw new SnsError('InvalidAction', 400, `The action ${action} is not valid for this endpoint`);
    }
  }

  private send(response: ServerResponse, statusCode: number, body: string): void {
    const xml = `<?xml version="1.0"?>\n${body}`;
    response
      .writeHead(statusCode, {
        'Content-Type': 'text/xml',
        'Content-Length': Buffer.byteLength(xml).toString(),
      })
      .end(xml);
  }
}
