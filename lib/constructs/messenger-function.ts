import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/config';
import { REPO_ROOT } from '../paths';

export interface MessengerFunctionProps {
  /** Absolute path of the TypeScript entry file; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Variables besides LOG_LEVEL and NODE_OPTIONS. @default - none */
  readonly environment?: Record<string, string>;
  /** @default 'info' */
  readonly logLevel?: string;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** What happens to the log group when the stack goes. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Output module format. ESM lets handlers use top-level await; the AWS SDK is bundled either way, so
   * the code runs against the versions it was tested with.
   * @default OutputFormat.ESM
   */
  readonly format?: OutputFormat;
}

/**
 * The house Lambda: NodejsFunction bundled by the local esbuild (no Docker), nodejs22.x on arm64, its
 * own log group with a retention, and a role that starts with nothing but write access to that log
 * group. Every other permission is granted by the owner of the resource.
 */
export class MessengerFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: MessengerFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    const format = props.format ?? OutputFormat.ESM;
    super(scope, id, {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: {
        [ENV.logLevel]: props.logLevel ?? 'info',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        bundleAwsSDK: format === OutputFormat.ESM,
        ...(format === OutputFormat.ESM
          ? {
              mainFields: ['module', 'main'],
              // Some CommonJS dependencies call require(); an ES module has to provide it.
              banner:
                "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
            }
          : {}),
      },
    });
    logGroup.grantWrite(role);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime the project targets (issue 2) and the Node line the code is tested on; move to a newer runtime together with the local runtime and CI.',
    });
  }
}
