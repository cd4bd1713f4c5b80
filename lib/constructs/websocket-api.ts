import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat, CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { WEBSOCKET_API } from '../../lambdas/shared/websocket-api';

/**
 * One JSON line per WebSocket event: ids, route and outcome only. The query string (which carries the
 * token) and message bodies are never logged.
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  connectionId: '$context.connectionId',
  status: '$context.status',
  sourceIp: '$context.identity.sourceIp',
  userId: '$context.authorizer.userId',
  error: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integration.error',
  integrationLatency: '$context.integration.latency',
};

/** API Gateway authorizes a WebSocket once, at $connect; no other route can carry an authorizer. */
const AFTER_CONNECT_AUTHORIZATION = {
  id: 'AwsSolutions-APIG4',
  reason:
    'A WebSocket API authorizes only the $connect route; every later message of the connection carries the identity the $connect authorizer returned, and the Lambdas take the sender from it.',
};

export interface MessengerWebSocketApiProps {
  readonly stageName: string;
  /** @default 500 messages per second */
  readonly throttleRate?: number;
  /** @default 1000 messages */
  readonly throttleBurst?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly accessLogRemovalPolicy?: RemovalPolicy;
  /**
   * Set the region's API Gateway CloudWatch Logs role, which WebSocket access logging needs.
   * @default true
   */
  readonly manageAccountLogRole?: boolean;
}

/** The Lambdas behind the routes. */
export interface MessengerRouteHandlers {
  readonly authorizer: IFunction;
  readonly connect: IFunction;
  readonly disconnect: IFunction;
  /** Every action route and $default. */
  readonly request: IFunction;
}

/**
 * The WebSocket API (routes chosen by the frame's `action`) and its auto-deployed stage, with
 * throttling and JSON access logs. Routes are added once the Lambdas exist, because the Lambdas need
 * the stage's callback URL first.
 */
export class MessengerWebSocketApi extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: MessengerWebSocketApiProps) {
    super(scope, id);
    this.api = new WebSocketApi(this, 'Api', {
      apiName: Stack.of(this).stackName,
      description: 'Messenger WebSocket API: one JSON frame per message, routed by its action',
      routeSelectionExpression: WEBSOCKET_API.routeSelectionExpression,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.accessLogRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRate ?? 500, burstLimit: props.throttleBurst ?? 1000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    if (props.manageAccountLogRole ?? true) this.setAccountLogRole();
  }

  /** The WebSocket URL clients connect to (`wss://…/{stage}`). */
  get url(): string {
    return this.stage.url;
  }

  /** The @connections management endpoint (`https://…/{stage}`): CONNECTIONS_ENDPOINT. */
  get callbackUrl(): string {
    return this.stage.callbackUrl;
  }

  /**
   * $connect behind the Lambda authorizer, $disconnect, and every action plus $default to the request
   * Lambda as two-way routes, so the frame it returns is sent back to the client.
   */
  addRoutes(handlers: MessengerRouteHandlers): void {
    const authorizer = new WebSocketLambdaAuthorizer('TokenAuthorizer', handlers.authorizer, {
      identitySource: [...WEBSOCKET_API.authorizerIdentitySources],
    });
    this.api.addRoute('$connect', {
      integration: new WebSocketLambdaIntegration('ConnectIntegration', handlers.connect),
      authorizer,
    });
    const disconnect = this.api.addRoute('$disconnect', {
      integration: new WebSocketLambdaIntegration('DisconnectIntegration', handlers.disconnect),
    });
    Validations.of(disconnect).acknowledge(AFTER_CONNECT_AUTHORIZATION);
    const request = new WebSocketLambdaIntegration('RequestIntegration', handlers.request);
    for (const routeKey of WEBSOCKET_API.requestRoutes) {
      const route = this.api.addRoute(routeKey, { integration: request, returnResponse: true });
      Validations.of(route).acknowledge(AFTER_CONNECT_AUTHORIZATION);
    }
  }

  /**
   * API Gateway writes WebSocket logs with one role per account and region (AWS::ApiGateway::Account).
   * Both are retained: another API in the region may rely on them after this stack is gone.
   */
  private setAccountLogRole(): void {
    const role = new Role(this, 'CloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      ],
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.stage.node.addDependency(account);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy of the account-wide API Gateway logging role; API Gateway writes to log groups of any API and stage in the region, so it cannot be scoped in advance.',
    });
  }
}
