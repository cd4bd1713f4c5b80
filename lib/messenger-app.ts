import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings } from './messenger-settings';
import { MessengerStack } from './messenger-stack';

/**
 * Adds the Messenger stack to an app, configured from the app's context, with the cdk-nag AwsSolutions
 * checks registered as a synthesis validation plugin (cdk-nag v3): a finding that is not acknowledged
 * fails synthesis. bin/messenger.ts and the infrastructure tests both build the app through here.
 */
export const addMessengerStack = (app: App): MessengerStack => {
  const settings = readSettings(app.node);
  const stack = new MessengerStack(app, settings.stackName, {
    settings,
    description: `Messenger chat backend (stage ${settings.stageName})`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
};
