#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addMessengerStack } from '../lib/messenger-app';

addMessengerStack(new App());
