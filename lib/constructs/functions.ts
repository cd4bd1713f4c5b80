import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/config';
import { nagArnPrefix } from '../nag';
import { handlerEntry } from '../paths';
import type { Identity } from './identity';
import { MessengerFunction } from './messenger-function';
import type { Push } from './push';

/**
 * DynamoDB actions per function, on the one table only. The request and fan-out functions read with
 * ConsistentRead and write in transactions (TransactWriteItems is authorized per contained action).
 */
export const TABLE_ACTIONS = {
  connect: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  disconnect: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
  request: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
  fanout: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ],
} as const;

/** How cdk-nag prints the resource of WebSocketStage.grantManagementApiAccess. */
const managementApiArnPattern = (stage: WebSocketStage): string => {
  const apiLogicalId = Stack.of(stage).resolve(
    (stage.api.node.defaultChild as CfnElement).logicalId,
  ) as string;
  return `${nagArnPrefix(Stack.of(stage), 'execute-api')}<${apiLogicalId}>/${stage.stageName}/*/@connections/*`;
};

export interface MessengerFunctionsProps {
  readonly table: ITable;
  /** The stage whose @connections API the request and fan-out functions call. */
  readonly stage: WebSocketStage;
  readonly identity: Identity;
  readonly push: Push;
  /** @default 'info' */
  readonly logLevel?: string;
  /** Disposable stack: log groups go with it. @default false */
  readonly dev?: boolean;
}

/**
 * The five Lambdas and exactly what each may do:
 * - authorizer: nothing but its logs (it verifies JWTs against the issuer's public JWKS);
 * - connect / disconnect: write / delete connection items;
 * - request: read and write the table, post to connections of this stage (typing relay);
 * - fan-out: read the table, update or delete items (gone connections), post to connections of this
 *   stage, and push through this stack's SNS platform applications.
 */
export class MessengerFunctions extends Construct {
  readonly authorizer: MessengerFunction;
  readonly connect: MessengerFunction;
  readonly disconnect: MessengerFunction;
  readonly request: MessengerFunction;
  readonly fanout: MessengerFunction;

  constructor(scope: Construct, id: string, props: MessengerFunctionsProps) {
    super(scope, id);
    const common = {
      logLevel: props.logLevel,
      logRemovalPolicy: props.dev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    };
    const tableEnv = { [ENV.tableName]: props.table.tableName };
    const connectionsEnv = { [ENV.connectionsEndpoint]: props.stage.callbackUrl };

    this.authorizer = new MessengerFunction(this, 'Authorizer', {
      ...common,
      entry: handlerEntry('authorizer'),
      description: 'Messenger $connect authorizer: verifies the JWT and the deviceId',
      environment: {
        [ENV.jwtIssuer]: props.identity.issuer,
        [ENV.jwtAudience]: props.identity.audience,
        [ENV.jwksUrl]: props.identity.jwksUrl,
      },
    });
    this.connect = new MessengerFunction(this, 'Connect', {
      ...common,
      entry: handlerEntry('connect'),
      description: 'Messenger $connect: records the connection',
      environment: tableEnv,
    });
    this.disconnect = new MessengerFunction(this, 'Disconnect', {
      ...common,
      entry: handlerEntry('disconnect'),
      description: 'Messenger $disconnect: forgets the connection',
      environment: tableEnv,
    });
    this.request = new MessengerFunction(this, 'Request', {
      ...common,
      entry: handlerEntry('request'),
      description: 'Messenger action routes and $default: one answer frame per request',
      memorySize: 512,
      // API Gateway waits at most 29 s for an integration.
      timeout: Duration.seconds(28),
      environment: {
        ...tableEnv,
        ...connectionsEnv,
        [ENV.pushPlatformApplications]: props.push.platformApplicationsJson,
      },
    });
    this.fanout = new MessengerFunction(this, 'Fanout', {
      ...common,
      entry: handlerEntry('fanout'),
      description: 'Messenger stream fan-out: delivers new messages to connections and push endpoints',
      memorySize: 512,
      timeout: Duration.minutes(1),
      environment: {
        ...tableEnv,
        ...connectionsEnv,
        [ENV.pushPlatformApplications]: props.push.platformApplicationsJson,
      },
    });

    props.table.grant(this.connect, ...TABLE_ACTIONS.connect);
    props.table.grant(this.disconnect, ...TABLE_ACTIONS.disconnect);
    props.table.grant(this.request, ...TABLE_ACTIONS.request);
    props.table.grant(this.fanout, ...TABLE_ACTIONS.fanout);
    for (const fn of [this.request, this.fanout]) {
      props.stage.grantManagementApiAccess(fn);
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${managementApiArnPattern(props.stage)}]`,
        reason:
          'execute-api:ManageConnections on @connections/* of this API and stage only: connection ids are runtime values.',
      });
    }
    props.push.grantPush(this.request);
    props.push.grantPush(this.fanout);
  }

  get all(): readonly MessengerFunction[] {
    return [this.authorizer, this.connect, this.disconnect, this.request, this.fanout];
  }
}
