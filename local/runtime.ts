import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { Logger } from '../lambdas/shared/logger';
import { WEBSOCKET_API } from '../lambdas/shared/websocket-api';
import { DataDirLock } from './data-dir-lock';
import { type DynamoDbLocal, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from './dynamodb-local';
import { AWS_GATEWAY_LIMITS, type GatewayLimits } from './gateway/limits';
import { WebSocketGateway } from './gateway/websocket-gateway';
import { DevRoutes } from './http/dev-routes';
import { type HealthReport, RequestRouter } from './http/request-router';
import { StaticSite } from './http/static-site';
import { statusPage } from './http/status-page';
import { type IssuedToken, LocalIdentityProvider } from './identity/local-identity-provider';
import { type LambdaHandlers, loadLambdaHandlers, type WebSocketHandler } from './lambda-handlers';
import { EnvironmentOverride, handlerEnvironment } from './process-environment';
import { SilentLogger } from './silent-logger';
import { SnsQueryApi } from './sns/sns-query-api';
import { SnsStandIn } from './sns/sns-stand-in';
import { DeadLetterQueue } from './stream/dead-letter-queue';
import { StreamPoller } from './stream/stream-poller';
import { FANOUT_SOURCE_SETTINGS, type StreamSourceSettings } from './stream/stream-source-settings';
import { ensureTable } from './table-bootstrap';

export interface LocalRuntimeOptions {
  /** Port for everything; 0 picks a free one. Default: $PORT, else 8080. */
  readonly port?: number;
  /** Interface to bind. Default: $HOST, else 127.0.0.1. */
  readonly host?: string;
  /** Where DynamoDB Local's file and the identity provider's key live. Default `.data`. */
  readonly dataDir?: string;
  /** DynamoDB Local in memory and a fresh signing key: nothing is written. Default: $MESSENGER_IN_MEMORY=1. */
  readonly inMemory?: boolean;
  /** Use this DynamoDB (Local) instead of starting one: no Java is started and nothing else is written. */
  readonly dynamoEndpoint?: string;
  /** Default `messenger`. */
  readonly tableName?: string;
  /** API Gateway quotas; tests shrink them. Default: AWS's. */
  readonly limits?: Partial<GatewayLimits>;
  /** Pause after an empty GetRecords. Default 20 ms. */
  readonly pollIntervalMs?: number;
  /** Overrides of the fan-out event source mapping (`FANOUT_SOURCE`). */
  readonly streamSettings?: Partial<StreamSourceSettings>;
  /** Pause before a failed stream batch is retried. Default 100 ms doubling up to 2 s. */
  readonly streamRetryDelayMs?: (attempt: number) => number;
  /** Replace some Lambda handlers (tests); the rest are imported from lambdas/handlers. */
  readonly handlers?: Partial<LambdaHandlers>;
  /** Token lifetime of the identity provider. Default 1 hour. */
  readonly tokenTtlSeconds?: number;
  /** Where the built web app is. Default dist/web. */
  readonly webRoot?: string;
  /** No logs from the runtime itself. */
  readonly quiet?: boolean;
}

export interface LocalRuntime {
  /** http://host:port, for the web app, /dev, /healthz, @connections and /sns. */
  readonly url: string;
  /** Where WebSocket clients connect (add ?token=&deviceId=). */
  readonly wsUrl: string;
  readonly port: number;
  readonly host: string;
  readonly tableName: string;
  readonly streamArn: string;
  /** Undefined when nothing is persisted. */
  readonly dataDir?: string;
  readonly endpoints: {
    readonly dynamodb: string;
    readonly connections: string;
    readonly sns: string;
    readonly jwks: string;
    readonly issuer: string;
    readonly audience: string;
  };
  readonly gateway: WebSocketGateway;
  readonly poller: StreamPoller;
  readonly sns: SnsStandIn;
  readonly dlq: DeadLetterQueue;
  readonly identity: LocalIdentityProvider;
  /** The DynamoDB Local this runtime started, if it started one. */
  readonly dynamodb?: DynamoDbLocal;
  /** Milliseconds from the call to healthy. */
  readonly startupMs: number;
  issueToken(
    userId: string,
    options?: { expiresInSeconds?: number },
  ): Promise<IssuedToken & { wsUrl: string }>;
  /** Closes the sockets ($disconnect runs), stops the poller, the server and DynamoDB Local. Idempotent. */
  stop(): Promise<void>;
}

const AUDIENCE = 'messenger-local';
const PUSH_PLATFORMS = ['APNS', 'APNS_SANDBOX', 'GCM'] as const;
const API = { apiId: 'local', stage: 'local', accountId: '000000000000' } as const;
const LOCAL_DIR = dirname(fileURLToPath(import.meta.url));

const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} on ${host} is in use: pass another --port (or PORT=...), or 0 for a free one`,
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolvePort((server.address() as AddressInfo).port);
    });
  });

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolveClose) => {
    if (!server.listening) return resolveClose();
    server.close(() => resolveClose());
    server.closeAllConnections();
  });

const urlHost = (host: string): string => {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
};

/**
 * Starts the whole messenger on one machine: DynamoDB Local with the table, the identity provider,
 * the SNS stand-in, the WebSocket gateway and the stream poller, all on one port, with the Lambda
 * handlers of lambdas/handlers. The handlers read process.env, so run one runtime per process.
 */
export const startLocalRuntime = async (options: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  const started = Date.now();
  const log = options.quiet ? new SilentLogger() : new Logger({ service: 'local-runtime' });
  const host = options.host ?? process.env.HOST ?? '127.0.0.1';
  const requestedPort = options.port ?? Number(process.env.PORT ?? 8080);
  const inMemory = options.inMemory ?? process.env.MESSENGER_IN_MEMORY === '1';
  const persistent = !inMemory && !options.dynamoEndpoint;
  const dataDir = persistent ? resolve(options.dataDir ?? '.data') : undefined;
  const tableName = options.tableName ?? 'messenger';
  const limits: GatewayLimits = { ...AWS_GATEWAY_LIMITS, ...options.limits };
  const settings: StreamSourceSettings = { ...FANOUT_SOURCE_SETTINGS, ...options.streamSettings };

  const readiness = { dynamodb: false, table: false, poller: false, gateway: false, stopping: false };
  const health = (): HealthReport => ({
    healthy:
      !readiness.stopping && readiness.dynamodb && readiness.table && readiness.poller && readiness.gateway,
    dynamodb: readiness.dynamodb,
    table: readiness.table,
    poller: readiness.poller,
    gateway: readiness.gateway,
  });

  const phase = (name: string) => log.debug('start-up phase done', { phase: name, ms: Date.now() - started });
  const environment = new EnvironmentOverride();
  const cleanup: (() => Promise<void> | void)[] = [];
  const runCleanup = async () => {
    readiness.stopping = true;
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (error) {
        log.warn('stop step failed', { error });
      }
    }
    cleanup.length = 0;
  };

  try {
    if (dataDir) {
      const lock = DataDirLock.acquire(dataDir);
      cleanup.push(() => lock.release());
    }

    let baseUrl = '';
    let wsUrl = '';
    const router = new RequestRouter({
      site: new StaticSite(options.webRoot ?? join(LOCAL_DIR, '..', 'dist', 'web'), () =>
        statusPage({ baseUrl, wsUrl, health }),
      ),
      health,
      log,
    });
    const server = createServer(router.handleRequest);
    server.on('upgrade', router.handleUpgrade);
    const port = await listen(server, requestedPort, host);
    cleanup.push(() => closeServer(server));
    baseUrl = `http://${urlHost(host)}:${port}`;
    wsUrl = `ws://${urlHost(host)}:${port}/`;
    const issuer = `${baseUrl}/local-idp`;

    const [dynamodb, identity] = await Promise.all([
      options.dynamoEndpoint
        ? Promise.resolve(undefined)
        : startDynamoDbLocal({ dataDir: dataDir ? join(dataDir, 'dynamodb') : undefined }),
      LocalIdentityProvider.create({
        issuer,
        audience: AUDIENCE,
        keyFile: dataDir ? join(dataDir, 'identity', 'signing-key.json') : undefined,
        tokenTtlSeconds: options.tokenTtlSeconds,
      }),
    ]);
    if (dynamodb) cleanup.push(() => dynamodb.stop());
    readiness.dynamodb = true;
    phase('dynamodb and identity');
    const dynamoEndpoint = options.dynamoEndpoint ?? (dynamodb as DynamoDbLocal).endpoint;
    const clientConfig = { endpoint: dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };

    const dynamoClient = new DynamoDBClient(clientConfig);
    cleanup.push(() => dynamoClient.destroy());
    const { streamArn } = await ensureTable(dynamoClient, tableName);
    readiness.table = true;
    phase('table');

    const sns = new SnsStandIn({ region: LOCAL_REGION, accountId: API.accountId });
    const pushPlatformApplications = Object.fromEntries(
      PUSH_PLATFORMS.map((platform) => [
        platform,
        sns.createPlatformApplication('messenger-local', platform),
      ]),
    );

    const endpoints = {
      dynamodb: dynamoEndpoint,
      connections: baseUrl,
      sns: `${baseUrl}/sns`,
      jwks: `${baseUrl}/.well-known/jwks.json`,
      issuer,
      audience: AUDIENCE,
    };
    environment.apply(
      handlerEnvironment({
        tableName,
        dynamoDbEndpoint: dynamoEndpoint,
        connectionsEndpoint: endpoints.connections,
        snsEndpoint: endpoints.sns,
        jwtIssuer: issuer,
        jwtAudience: AUDIENCE,
        jwksUrl: endpoints.jwks,
        pushPlatformApplications,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
      ['AWS_SESSION_TOKEN'],
    );
    cleanup.push(() => environment.restore());

    const provided = options.handlers ?? {};
    const complete = ['authorizer', 'connect', 'disconnect', 'request', 'fanout'].every(
      (name) => provided[name as keyof LambdaHandlers],
    );
    const handlers: LambdaHandlers = {
      ...(complete ? (provided as LambdaHandlers) : await loadLambdaHandlers()),
      ...provided,
    };
    phase('handlers');

    const api = { ...API, domainName: `${urlHost(host)}:${port}`, region: LOCAL_REGION };
    const routes: Record<string, WebSocketHandler> = Object.fromEntries(
      WEBSOCKET_API.requestRoutes.map((routeKey) => [routeKey, handlers.request]),
    );
    const gateway = new WebSocketGateway({
      api,
      limits,
      handshake: {
        authorizer: {
          handler: handlers.authorizer,
          identitySources: WEBSOCKET_API.authorizerIdentitySources,
        },
        connect: handlers.connect,
      },
      messages: { routes, selectionExpression: WEBSOCKET_API.routeSelectionExpression },
      disconnect: handlers.disconnect,
      log: log.child({ component: 'gateway' }),
    });

    const dlq = new DeadLetterQueue();
    router.attach({
      identity,
      gateway,
      snsApi: new SnsQueryApi(sns),
      devRoutes: new DevRoutes({ identity, sns, deadLetters: dlq, gateway }),
    });
    cleanup.push(async () => {
      router.detach('gateway');
      await gateway.close();
    });
    readiness.gateway = true;

    const streamsClient = new DynamoDBStreamsClient(clientConfig);
    cleanup.push(() => streamsClient.destroy());
    const poller = new StreamPoller({
      client: streamsClient,
      streamArn,
      handler: handlers.fanout,
      deadLetters: dlq,
      settings,
      region: LOCAL_REGION,
      pollIntervalMs: options.pollIntervalMs,
      retryDelayMs: options.streamRetryDelayMs,
      log: log.child({ component: 'stream-poller' }),
    });
    await poller.start();
    cleanup.push(() => poller.stop());
    readiness.poller = true;
    phase('poller');

    let stopping: Promise<void> | undefined;
    return {
      url: baseUrl,
      wsUrl,
      port,
      host,
      tableName,
      streamArn,
      dataDir,
      endpoints,
      gateway,
      poller,
      sns,
      dlq,
      identity,
      dynamodb,
      startupMs: Date.now() - started,
      issueToken: async (userId, tokenOptions) => ({
        ...(await identity.issueToken(userId, tokenOptions)),
        wsUrl,
      }),
      stop: () => {
        stopping ??= runCleanup();
        return stopping;
      },
    };
  } catch (error) {
    await runCleanup();
    throw error;
  }
};
