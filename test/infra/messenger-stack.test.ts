import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { FANOUT_SOURCE } from '../../lambdas/shared/fanout-source';
import { ACTIONS } from '../../lambdas/shared/protocol';
import { TABLE } from '../../lambdas/shared/table-schema';
import { ENDPOINT_MANAGEMENT_ACTIONS } from '../../lib/constructs/push';
import { SettingsError } from '../../lib/messenger-settings';
import { actionsOf, logicalIdOf, statementsOf, synthMessenger } from './synth-messenger';

type FunctionName = 'authorizer' | 'connect' | 'disconnect' | 'request' | 'fanout';

const OIDC = {
  oidcIssuer: 'https://id.example.com/',
  oidcAudience: 'messenger-clients',
  oidcJwksUrl: 'https://id.example.com/.well-known/jwks.json',
};

describe('the message table', () => {
  it('has the schema keys, on-demand billing, a NEW_AND_OLD_IMAGES stream, TTL and PITR, and is retained', () => {
    // Prepare
    const { template } = synthMessenger();

    // Act
    const tables = template.findResources('AWS::DynamoDB::Table');

    // Assess
    expect(Object.keys(tables)).toEqual(['MessageTable']);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE.sortKey, AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('is destroyed with a dev stack, like the user pool, the queue and the log groups', () => {
    // Prepare
    const { template } = synthMessenger({ dev: 'true' });

    // Act
    const retained = [
      'AWS::DynamoDB::Table',
      'AWS::Cognito::UserPool',
      'AWS::SQS::Queue',
      'AWS::Logs::LogGroup',
    ].flatMap((type) => Object.keys(template.findResources(type, { DeletionPolicy: 'Retain' })));

    // Assess
    expect(retained).toEqual([]);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: { DeletionProtectionEnabled: false },
    });
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Delete' });
  });
});

describe('the WebSocket API', () => {
  it('routes by the frame action and puts $connect behind the token authorizer', () => {
    // Prepare
    const { stack, template } = synthMessenger();
    const authorizerId = logicalIdOf(stack, stack.functions.authorizer);

    // Act
    const connect = template.findResources('AWS::ApiGatewayV2::Route', {
      Properties: { RouteKey: '$connect' },
    });

    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    expect(Object.keys(connect)).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$connect',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.token'],
      AuthorizerUri: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.objectLike({ 'Fn::GetAtt': [authorizerId, 'Arn'] })])],
      }),
    });
  });

  it('has $disconnect, and $default plus one two-way route per protocol action to the request Lambda', () => {
    // Prepare
    const { stack, template } = synthMessenger();
    const requestId = logicalIdOf(stack, stack.functions.request);
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    const requestIntegration = Object.entries(integrations).find(([, resource]) =>
      JSON.stringify(resource).includes(`"${requestId}"`),
    )?.[0];

    // Act
    const routes = template.findResources('AWS::ApiGatewayV2::Route');

    // Assess
    expect(requestIntegration).toBeDefined();
    expect(Object.keys(routes)).toHaveLength(ACTIONS.length + 3);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$disconnect',
      AuthorizationType: 'NONE',
      RouteResponseSelectionExpression: Match.absent(),
    });
    for (const routeKey of ['$default', ...ACTIONS]) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        AuthorizationType: 'NONE',
        RouteResponseSelectionExpression: '$default',
        Target: { 'Fn::Join': ['', ['integrations/', { Ref: requestIntegration }]] },
      });
    }
    template.resourceCountIs('AWS::ApiGatewayV2::RouteResponse', ACTIONS.length + 1);
    template.allResourcesProperties('AWS::ApiGatewayV2::RouteResponse', { RouteResponseKey: '$default' });
  });

  it('deploys the stage named by context automatically, throttled and with JSON access logs', () => {
    // Prepare
    const { template } = synthMessenger({ stage: 'beta' });

    // Act
    const stages = template.findResources('AWS::ApiGatewayV2::Stage');

    // Assess
    expect(Object.keys(stages)).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'beta',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::Account', { CloudWatchRoleArn: Match.anyValue() });
    template.hasOutput('WebSocketUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['wss://', Match.stringLikeRegexp('/beta$')])] },
    });
  });

  it('uses stage "prod" by default and leaves the account log role alone when asked to', () => {
    // Prepare
    const { stack, template } = synthMessenger({ manageApiGatewayAccount: 'false' });

    // Act
    const accounts = template.findResources('AWS::ApiGateway::Account');

    // Assess
    expect(stack.stackName).toBe('Messenger-prod');
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: 'prod' });
    expect(accounts).toEqual({});
  });
});

describe('the Lambdas', () => {
  it('all run nodejs22.x on arm64 with a log group of their own', () => {
    // Prepare
    const synthesized = synthMessenger();
    const { stack, template } = synthesized;

    // Act
    const functions = template.findResources('AWS::Lambda::Function');

    // Assess
    expect(Object.keys(functions)).toHaveLength(5);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    for (const fn of stack.functions.all) {
      expect(actionsOf(statementsOf(synthesized, fn))).toEqual(
        expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']),
      );
    }
  });

  it('get the table name, the callback URL and the JWT settings they each read', () => {
    // Prepare
    const { stack, template } = synthMessenger();
    const tableName = { Ref: 'MessageTable' };
    const callbackUrl = {
      'Fn::Join': ['', Match.arrayWith(['https://', Match.stringLikeRegexp('^\\.execute-api\\.'), '/prod'])],
    };
    const id = (fn: FunctionName) => logicalIdOf(stack, stack.functions[fn]);

    // Act
    const env = (name: string) => template.toJSON().Resources[name].Properties.Environment.Variables;

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: { TABLE_NAME: tableName, CONNECTIONS_ENDPOINT: callbackUrl, LOG_LEVEL: 'info' },
      },
    });
    expect(Object.keys(env(id('request'))).sort()).toEqual(
      [
        'CONNECTIONS_ENDPOINT',
        'LOG_LEVEL',
        'NODE_OPTIONS',
        'PUSH_PLATFORM_APPLICATIONS',
        'TABLE_NAME',
      ].sort(),
    );
    expect(Object.keys(env(id('fanout'))).sort()).toEqual(
      [
        'CONNECTIONS_ENDPOINT',
        'LOG_LEVEL',
        'NODE_OPTIONS',
        'PUSH_PLATFORM_APPLICATIONS',
        'TABLE_NAME',
      ].sort(),
    );
    expect(Object.keys(env(id('connect'))).sort()).toEqual(['LOG_LEVEL', 'NODE_OPTIONS', 'TABLE_NAME']);
    const providerUrl = { 'Fn::GetAtt': ['UserPool', 'ProviderURL'] };
    expect(env(id('authorizer'))).toEqual({
      LOG_LEVEL: 'info',
      NODE_OPTIONS: '--enable-source-maps',
      JWT_ISSUER: { 'Fn::Join': ['', ['https://', providerUrl]] },
      JWT_AUDIENCE: { Ref: logicalIdOf(stack, stack.identity.userPoolClient as never) },
      JWKS_URL: { 'Fn::Join': ['', ['https://', providerUrl, '/.well-known/jwks.json']] },
    });
  });
});

describe('least privilege', () => {
  it('gives the authorizer nothing but its logs', () => {
    // Prepare
    const synthesized = synthMessenger();

    // Act
    const actions = actionsOf(statementsOf(synthesized, synthesized.stack.functions.authorizer));

    // Assess
    expect(actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('lets connect and disconnect write only their items, and never call the management API', () => {
    // Prepare
    const synthesized = synthMessenger();
    const { connect, disconnect } = synthesized.stack.functions;

    // Act
    const connectActions = actionsOf(statementsOf(synthesized, connect));
    const disconnectActions = actionsOf(statementsOf(synthesized, disconnect));

    // Assess
    expect(connectActions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(disconnectActions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
    ]);
    for (const action of [...connectActions, ...disconnectActions]) {
      expect(action.startsWith('execute-api:')).toBe(false);
      expect(action.startsWith('sns:')).toBe(false);
    }
  });

  it('grants ManageConnections only to request and fan-out, on this API stage only', () => {
    // Prepare
    const synthesized = synthMessenger({ stage: 'beta' });
    const { stack } = synthesized;
    const apiId = logicalIdOf(stack, stack.webSocket.api);

    // Act
    const holders = stack.functions.all.filter((fn) =>
      actionsOf(statementsOf(synthesized, fn)).includes('execute-api:ManageConnections'),
    );

    // Assess
    expect(holders).toEqual([stack.functions.request, stack.functions.fanout]);
    for (const fn of holders) {
      const statement = statementsOf(synthesized, fn).find(
        (s) => s.Action === 'execute-api:ManageConnections',
      );
      expect(statement?.Resource).toEqual({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':execute-api:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':',
            { Ref: apiId },
            '/beta/*/@connections/*',
          ],
        ],
      });
    }
  });

  it('scopes every table permission to the one table and its stream', () => {
    // Prepare
    const synthesized = synthMessenger();

    // Act
    const tableStatements = synthesized.stack.functions.all
      .flatMap((fn) => statementsOf(synthesized, fn))
      .filter((statement) => actionsOf([statement]).some((action) => action.startsWith('dynamodb:')));

    // Assess
    expect(tableStatements.length).toBeGreaterThan(0);
    for (const statement of tableStatements) {
      if (actionsOf([statement]).includes('dynamodb:ListStreams')) {
        expect(statement.Action).toBe('dynamodb:ListStreams');
        continue;
      }
      expect([
        { 'Fn::GetAtt': ['MessageTable', 'Arn'] },
        { 'Fn::GetAtt': ['MessageTable', 'StreamArn'] },
      ]).toContainEqual(statement.Resource);
    }
  });
});

describe('the stream fan-out', () => {
  it('is an event source mapping built from FANOUT_SOURCE with an SQS on-failure destination', () => {
    // Prepare
    const { stack, template } = synthMessenger();
    const queueId = logicalIdOf(stack, stack.fanout.deadLetterQueue);

    // Act
    const mappings = template.findResources('AWS::Lambda::EventSourceMapping');

    // Assess
    expect(Object.keys(mappings)).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack, stack.functions.fanout) },
      EventSourceArn: { 'Fn::GetAtt': ['MessageTable', 'StreamArn'] },
      StartingPosition: FANOUT_SOURCE.startingPosition,
      BatchSize: FANOUT_SOURCE.batchSize,
      MaximumBatchingWindowInSeconds: FANOUT_SOURCE.maxBatchingWindowSeconds,
      MaximumRetryAttempts: FANOUT_SOURCE.retryAttempts,
      BisectBatchOnFunctionError: FANOUT_SOURCE.bisectBatchOnError,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: FANOUT_SOURCE.maxRecordAgeSeconds,
      ParallelizationFactor: FANOUT_SOURCE.parallelizationFactor,
      FilterCriteria: {
        Filters: FANOUT_SOURCE.filterPatterns.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
      },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('sends failures to an encrypted, TLS-only queue that raises an alarm when anything lands in it', () => {
    // Prepare
    const { stack, template } = synthMessenger();
    const queueId = logicalIdOf(stack, stack.fanout.deadLetterQueue);

    // Act
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'ApproximateNumberOfMessagesVisible' },
    });

    // Assess
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(Object.keys(alarms)).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: queueId } });
  });

  it('has alarms on Lambda errors and on the fan-out falling behind the stream', () => {
    // Prepare
    const { stack, template } = synthMessenger({ alarmTopicArn: 'arn:aws:sns:eu-west-1:111111111111:ops' });
    const functionRef = (fn: FunctionName) => ({ Ref: logicalIdOf(stack, stack.functions[fn]) });

    // Act
    const errorAlarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'Errors' },
    });

    // Assess
    expect(Object.keys(errorAlarms)).toHaveLength(4);
    for (const fn of ['connect', 'disconnect', 'request', 'fanout'] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: functionRef(fn) }],
        Threshold: 0,
        AlarmActions: ['arn:aws:sns:eu-west-1:111111111111:ops'],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'FunctionName', Value: functionRef('fanout') }],
      Threshold: 60_000,
    });
  });
});

describe('the JWT issuer', () => {
  it('is a Cognito user pool with a public app client by default', () => {
    // Prepare
    const { template } = synthMessenger();

    // Act
    const pools = template.findResources('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });

    // Assess
    expect(Object.keys(pools)).toEqual(['UserPool']);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: 'UserPool' },
      GenerateSecret: false,
    });
    template.hasOutput('UserPoolId', { Value: { Ref: 'UserPool' } });
    template.hasOutput('ClientId', { Value: { Ref: Match.anyValue() } });
  });

  it('is the OIDC issuer given by context, and then the stack has no user pool', () => {
    // Prepare
    const { stack, template } = synthMessenger(OIDC);

    // Act
    const pools = template.findResources('AWS::Cognito::UserPool');

    // Assess
    expect(pools).toEqual({});
    expect(template.findOutputs('UserPoolId')).toEqual({});
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Environment: {
        Variables: {
          JWT_ISSUER: OIDC.oidcIssuer,
          JWT_AUDIENCE: OIDC.oidcAudience,
          JWKS_URL: OIDC.oidcJwksUrl,
          LOG_LEVEL: 'info',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    expect(stack.identity.userPool).toBeUndefined();
  });

  it('refuses an OIDC issuer given by halves', () => {
    // Prepare
    const context = { oidcIssuer: OIDC.oidcIssuer };

    // Act
    const act = () => synthMessenger(context);

    // Assess
    expect(act).toThrow(SettingsError);
    expect(act).toThrow(/oidcAudience, oidcJwksUrl/);
  });
});

describe('push', () => {
  it('is off by default: no platform application and no SNS permission', () => {
    // Prepare
    const synthesized = synthMessenger();
    const { stack, template } = synthesized;

    // Act
    const applications = template.findResources('Custom::SnsPlatformApplication');

    // Assess
    expect(applications).toEqual({});
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PUSH_PLATFORM_APPLICATIONS: '{}' }) },
    });
    const snsActions = stack.functions.all
      .flatMap((fn) => actionsOf(statementsOf(synthesized, fn)))
      .filter((action) => action.startsWith('sns:'));
    expect(snsActions).toEqual([]);
  });

  it('creates an application per credentials secret and lets only the request (registration) and fan-out Lambdas use them', () => {
    // Prepare
    const synthesized = synthMessenger({ apnsSecretName: 'messenger/apns', fcmSecretName: 'messenger/fcm' });
    const { stack, template } = synthesized;
    const [apns, fcm] = stack.push.applications;

    // Act
    const applications = template.findResources('Custom::SnsPlatformApplication');

    // Assess
    expect(Object.keys(applications)).toHaveLength(2);
    template.hasResourceProperties('Custom::SnsPlatformApplication', {
      Name: 'Messenger-prod-APNS',
      Platform: 'APNS',
      SecretId: 'messenger/apns',
    });
    template.hasResourceProperties('Custom::SnsPlatformApplication', {
      Name: 'Messenger-prod-GCM',
      Platform: 'GCM',
      SecretId: 'messenger/fcm',
    });
    const fanoutEnv =
      template.toJSON().Resources[logicalIdOf(stack, stack.functions.fanout)].Properties.Environment
        .Variables;
    expect(JSON.stringify(fanoutEnv.PUSH_PLATFORM_APPLICATIONS)).toContain(
      JSON.stringify({ Ref: logicalIdOf(stack, stack.push.node.findChild('APNSApplication')) }),
    );
    const fanoutStatements = statementsOf(synthesized, stack.functions.fanout);
    const anyResource = actionsOf(fanoutStatements.filter((statement) => statement.Resource === '*'));
    expect(anyResource.filter((action) => action.startsWith('sns:')).sort()).toEqual(
      [...ENDPOINT_MANAGEMENT_ACTIONS].sort(),
    );
    const publish = fanoutStatements.find((statement) => statement.Action === 'sns:Publish');
    expect(JSON.stringify(publish?.Resource)).toContain(`:endpoint/APNS/${apns?.name}/*`);
    expect(JSON.stringify(publish?.Resource)).toContain(`:endpoint/GCM/${fcm?.name}/*`);
    const requestStatements = statementsOf(synthesized, stack.functions.request);
    expect(
      actionsOf(requestStatements.filter((statement) => statement.Resource === '*'))
        .filter((action) => action.startsWith('sns:'))
        .sort(),
    ).toEqual([...ENDPOINT_MANAGEMENT_ACTIONS].sort());
    for (const fn of [stack.functions.authorizer, stack.functions.connect]) {
      expect(actionsOf(statementsOf(synthesized, fn)).filter((action) => action.startsWith('sns:'))).toEqual(
        [],
      );
    }
  });

  it('targets the APNs sandbox when apnsSandbox is set, and the provider may read only that secret', () => {
    // Prepare
    const { template } = synthMessenger({ apnsSecretName: 'messenger/apns', apnsSandbox: 'true' });

    // Act
    const applications = template.findResources('Custom::SnsPlatformApplication');

    // Assess
    expect(Object.keys(applications)).toHaveLength(1);
    template.hasResourceProperties('Custom::SnsPlatformApplication', { Platform: 'APNS_SANDBOX' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Resource: {
              'Fn::Join': [
                '',
                Match.arrayWith([Match.stringLikeRegexp(':secret:messenger/apns-\\?\\?\\?\\?\\?\\?$')]),
              ],
            },
          }),
        ]),
      },
    });
  });
});

describe('cdk-nag', () => {
  it('finds no unacknowledged AwsSolutions error in the default stack', () => {
    // Prepare
    const { app } = synthMessenger();

    // Act
    const report = new AwsSolutionsChecks(app).validateScope(app);

    // Assess
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('finds none with push on and an external issuer either', () => {
    // Prepare
    const { app } = synthMessenger({
      ...OIDC,
      apnsSecretName: 'messenger/apns',
      fcmSecretName: 'messenger/fcm',
    });

    // Act
    const report = new AwsSolutionsChecks(app).validateScope(app);

    // Assess
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });
});
