import { Duration } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface MonitoringProps {
  /**
   * Functions whose every error is worth a look. The authorizer is left out on purpose: refusing a bad
   * token is an error of its invocation, so its error count measures bad clients, not faults.
   */
  readonly functions: Record<string, IFunction>;
  /** The stream consumer, watched for falling behind. */
  readonly fanout: IFunction;
  readonly deadLetterQueue: IQueue;
  /** @default Duration.minutes(1) */
  readonly maxIteratorAge?: Duration;
  /** @default - the alarms have no action */
  readonly alarmTopicArn?: string;
}

/** CloudWatch alarms: records in the dead-letter queue, Lambda errors, and fan-out lag. */
export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.alarms.push(
      props.deadLetterQueue
        .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: Stats.MAXIMUM })
        .createAlarm(this, 'DeadLetterQueueNotEmpty', {
          alarmDescription:
            'Stream records the fan-out gave up on are waiting in the dead-letter queue: inspect, fix, redrive.',
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarms.push(
        fn
          .metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM })
          .createAlarm(this, `${name}Errors`, {
            alarmDescription: `The ${name} Lambda failed (an unhandled error or a timeout).`,
            threshold: 0,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      );
    }
    const maxIteratorAge = props.maxIteratorAge ?? Duration.minutes(1);
    this.alarms.push(
      props.fanout
        .metric('IteratorAge', { period: Duration.minutes(1), statistic: Stats.MAXIMUM })
        .createAlarm(this, 'FanoutIteratorAge', {
          alarmDescription: `The fan-out is more than ${maxIteratorAge.toHumanString()} behind the table stream.`,
          threshold: maxIteratorAge.toMilliseconds(),
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );
    if (props.alarmTopicArn) {
      const action = new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn));
      for (const alarm of this.alarms) alarm.addAlarmAction(action);
    }
  }
}
