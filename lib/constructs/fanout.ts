import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FANOUT_SOURCE } from '../../lambdas/shared/fanout-source';

export interface StreamFanoutProps {
  /** The table whose stream feeds the fan-out. */
  readonly table: ITable;
  readonly handler: IFunction;
  /** Disposable stack: the dead-letter queue goes with it. @default false */
  readonly dev?: boolean;
}

/**
 * The table stream → fan-out Lambda event source mapping, built from FANOUT_SOURCE (the local stream
 * poller reads the same object). A batch that keeps failing is bisected, retried a bounded number of
 * times, and its records' coordinates go to an encrypted SQS dead-letter queue, so a poison record never
 * blocks its shard.
 */
export class StreamFanout extends Construct {
  readonly deadLetterQueue: Queue;
  readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: StreamFanoutProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.dev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter (on-failure) destination of the stream event source mapping; an operator inspects and redrives it, guarded by an alarm.',
    });
    this.eventSource = new DynamoEventSource(props.table, {
      startingPosition: StartingPosition[FANOUT_SOURCE.startingPosition],
      batchSize: FANOUT_SOURCE.batchSize,
      maxBatchingWindow: Duration.seconds(FANOUT_SOURCE.maxBatchingWindowSeconds),
      retryAttempts: FANOUT_SOURCE.retryAttempts,
      bisectBatchOnError: FANOUT_SOURCE.bisectBatchOnError,
      reportBatchItemFailures: FANOUT_SOURCE.reportBatchItemFailures,
      maxRecordAge: Duration.seconds(FANOUT_SOURCE.maxRecordAgeSeconds),
      parallelizationFactor: FANOUT_SOURCE.parallelizationFactor,
      filters: FANOUT_SOURCE.filterPatterns.map((pattern) => FilterCriteria.filter(pattern)),
      onFailure: new SqsDlq(this.deadLetterQueue),
    });
    props.handler.addEventSource(this.eventSource);
    if (props.handler.role) {
      Validations.of(props.handler.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'dynamodb:ListStreams supports no resource-level permission; reading records (DescribeStream, GetRecords, GetShardIterator) is scoped to this table stream.',
      });
    }
  }
}
