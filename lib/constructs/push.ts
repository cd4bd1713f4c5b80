import { fileURLToPath } from 'node:url';
import { ArnFormat, CustomResource, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { PushPlatform } from '../custom-resources/platform-application';
import { nagArnPrefix } from '../nag';
import { MessengerFunction } from './messenger-function';

/**
 * The SNS actions that manage mobile endpoints. None of them supports resource-level permissions
 * (Service Authorization Reference for Amazon SNS), so they are granted on '*', and only when this stack
 * has a platform application.
 */
export const ENDPOINT_MANAGEMENT_ACTIONS = [
  'sns:CreatePlatformEndpoint',
  'sns:GetEndpointAttributes',
  'sns:SetEndpointAttributes',
  'sns:DeleteEndpoint',
];

export interface PushProps {
  /**
   * Secrets Manager secret holding the APNs token key as JSON: signingKey (.p8 content), keyId, teamId,
   * bundleId.
   * @default - no APNs application
   */
  readonly apnsSecretName?: string;
  /** Use the APNs sandbox (development builds of the app). @default false */
  readonly apnsSandbox?: boolean;
  /**
   * Secrets Manager secret holding the FCM (HTTP v1) service-account JSON as its whole value.
   * @default - no FCM application
   */
  readonly fcmSecretName?: string;
  /** What happens to the provider's log group when the stack goes. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export interface PlatformApplication {
  readonly platform: PushPlatform;
  readonly name: string;
  readonly arn: string;
}

/**
 * Mobile push, off unless a credentials secret is named: one SNS platform application per configured
 * platform, created by a custom resource that reads the secret at deploy time.
 */
export class Push extends Construct {
  readonly applications: readonly PlatformApplication[];

  constructor(scope: Construct, id: string, props: PushProps = {}) {
    super(scope, id);
    const wanted: { platform: PushPlatform; secretName: string }[] = [];
    if (props.apnsSecretName) {
      wanted.push({
        platform: props.apnsSandbox ? 'APNS_SANDBOX' : 'APNS',
        secretName: props.apnsSecretName,
      });
    }
    if (props.fcmSecretName) wanted.push({ platform: 'GCM', secretName: props.fcmSecretName });
    if (wanted.length === 0) {
      this.applications = [];
      return;
    }

    const provider = new MessengerFunction(this, 'PlatformApplicationProvider', {
      entry: fileURLToPath(new URL('../custom-resources/platform-application.ts', import.meta.url)),
      description: 'Custom resource: SNS platform applications from Secrets Manager credentials',
      // CommonJS with the runtime's AWS SDK: the Secrets Manager client is not a dependency of the repo.
      format: OutputFormat.CJS,
      timeout: Duration.minutes(1),
      logRemovalPolicy: props.logRemovalPolicy,
    });
    provider.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'sns:CreatePlatformApplication',
          'sns:SetPlatformApplicationAttributes',
          'sns:DeletePlatformApplication',
        ],
        resources: ['*'],
      }),
    );
    Validations.of(provider.role ?? provider).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'SNS platform application actions support no resource-level permissions (Service Authorization Reference for Amazon SNS); this deploy-time function only creates, updates and deletes the applications of this stack.',
    });

    const stackName = Stack.of(this).stackName;
    this.applications = wanted.map(({ platform, secretName }) => {
      const secret = Secret.fromSecretNameV2(this, `${platform}Credentials`, secretName);
      secret.grantRead(provider);
      const name = `${stackName}-${platform}`;
      const resource = new CustomResource(this, `${platform}Application`, {
        serviceToken: provider.functionArn,
        resourceType: 'Custom::SnsPlatformApplication',
        serviceTimeout: Duration.minutes(2),
        properties: { Name: name, Platform: platform, SecretId: secretName },
      });
      return { platform, name, arn: resource.ref };
    });
  }

  get enabled(): boolean {
    return this.applications.length > 0;
  }

  /** The PUSH_PLATFORM_APPLICATIONS value: JSON map of platform to application ARN ('{}' when off). */
  get platformApplicationsJson(): string {
    if (!this.enabled) return '{}';
    return Stack.of(this).toJsonString(
      Object.fromEntries(this.applications.map((app) => [app.platform, app.arn])),
    );
  }

  /**
   * Lets the grantee register devices with this stack's applications and publish to their endpoints.
   * Does nothing when push is off.
   */
  grantPush(grantee: IGrantable): void {
    if (!this.enabled) return;
    const stack = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sns:Publish'],
        resources: this.applications.map((app) =>
          stack.formatArn({
            service: 'sns',
            resource: 'endpoint',
            resourceName: `${app.platform}/${app.name}/*`,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ),
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ENDPOINT_MANAGEMENT_ACTIONS, resources: ['*'] }),
    );
    if (Construct.isConstruct(grantee.grantPrincipal)) {
      const principal = Validations.of(grantee.grantPrincipal);
      principal.acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'SNS endpoint management (CreatePlatformEndpoint, Get/SetEndpointAttributes, DeleteEndpoint) supports no resource-level permissions (Service Authorization Reference for Amazon SNS).',
      });
      for (const app of this.applications) {
        principal.acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagArnPrefix(stack, 'sns')}endpoint/${app.platform}/${app.name}/*]`,
          reason: `sns:Publish to any device endpoint of this stack's ${app.platform} application: endpoints are created per device at runtime.`,
        });
      }
    }
  }
}
