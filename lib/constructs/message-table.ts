import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type CfnTable, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE } from '../../lambdas/shared/table-schema';

export interface MessageTableProps {
  /**
   * A disposable (dev) stack: the table is deleted with the stack and has no deletion protection.
   * @default false - the table and its data outlive the stack
   */
  readonly dev?: boolean;
}

/**
 * The single table of the data model (lambdas/shared/table-schema.ts): on-demand, strongly consistent
 * reads available, a NEW_AND_OLD_IMAGES stream for the fan-out, TTL and point-in-time recovery.
 */
export class MessageTable extends Construct {
  /**
   * The CloudFormation logical id, pinned so that moving this construct never replaces the table.
   */
  static readonly LOGICAL_ID = 'MessageTable';

  readonly table: Table;

  constructor(scope: Construct, id: string, props: MessageTableProps = {}) {
    super(scope, id);
    const dev = props.dev ?? false;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType[TABLE.streamViewType],
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: !dev,
      removalPolicy: dev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    (this.table.node.defaultChild as CfnTable).overrideLogicalId(MessageTable.LOGICAL_ID);
  }
}
