import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { StreamFanout } from './constructs/fanout';
import { MessengerFunctions } from './constructs/functions';
import { Identity } from './constructs/identity';
import { MessageTable } from './constructs/message-table';
import { Monitoring } from './constructs/monitoring';
import { Push } from './constructs/push';
import { MessengerWebSocketApi } from './constructs/websocket-api';
import type { MessengerSettings } from './messenger-settings';

export interface MessengerStackProps extends StackProps {
  readonly settings: MessengerSettings;
}

/**
 * The whole Messenger backend: table with stream, identity, WebSocket API and stage, the Lambdas, the
 * stream fan-out with its dead-letter queue, optional push, and alarms.
 */
export class MessengerStack extends Stack {
  readonly table: MessageTable;
  readonly identity: Identity;
  readonly webSocket: MessengerWebSocketApi;
  readonly functions: MessengerFunctions;
  readonly fanout: StreamFanout;
  readonly push: Push;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: MessengerStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const dev = settings.dev;
    const logRemovalPolicy = dev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    // Stateful resources keep these construct ids (and pinned logical ids): renaming them replaces data.
    this.table = new MessageTable(this, 'Data', { dev });
    this.identity = new Identity(this, 'Identity', { oidc: settings.oidc, dev });

    this.webSocket = new MessengerWebSocketApi(this, 'WebSocket', {
      stageName: settings.stageName,
      throttleRate: settings.throttleRate,
      throttleBurst: settings.throttleBurst,
      accessLogRemovalPolicy: logRemovalPolicy,
      manageAccountLogRole: settings.manageApiGatewayAccount,
    });
    this.push = new Push(this, 'Push', { ...settings.push, logRemovalPolicy });
    this.functions = new MessengerFunctions(this, 'Functions', {
      table: this.table.table,
      stage: this.webSocket.stage,
      identity: this.identity,
      push: this.push,
      logLevel: settings.logLevel,
      dev,
    });
    this.webSocket.addRoutes(this.functions);
    this.fanout = new StreamFanout(this, 'Fanout', {
      table: this.table.table,
      handler: this.functions.fanout,
      dev,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      functions: {
        Connect: this.functions.connect,
        Disconnect: this.functions.disconnect,
        Request: this.functions.request,
        Fanout: this.functions.fanout,
      },
      fanout: this.functions.fanout,
      deadLetterQueue: this.fanout.deadLetterQueue,
      alarmTopicArn: settings.alarmTopicArn,
    });

    new CfnOutput(this, 'WebSocketUrl', {
      description: 'Clients connect here with ?token=<JWT>&deviceId=<id>',
      value: this.webSocket.url,
    });
    new CfnOutput(this, 'CallbackUrl', {
      description: 'The @connections management endpoint (CONNECTIONS_ENDPOINT)',
      value: this.webSocket.callbackUrl,
    });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'JwtIssuer', { value: this.identity.issuer });
    if (this.identity.userPool && this.identity.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
      new CfnOutput(this, 'ClientId', {
        description: 'App client of the user pool: the audience of the ID tokens clients connect with',
        value: this.identity.userPoolClient.userPoolClientId,
      });
    }
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      description: 'Stream records the fan-out gave up on',
      value: this.fanout.deadLetterQueue.queueUrl,
    });
  }
}
