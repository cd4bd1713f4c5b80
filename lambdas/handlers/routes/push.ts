import { RequestSchemas } from '../../shared/request-schemas';
import { defineRoute } from './route';

/** Stores the calling device's push token; the device is the connection's, never the frame's. */
export const registerPush = defineRoute({
  schema: RequestSchemas.registerPush,
  async handle(input, { caller, deps }) {
    await deps.push.register(caller.userId, caller.deviceId, input.platform, input.token, input.preview);
    return { type: 'ok' };
  },
});
