import { RequestSchemas } from '../../shared/request-schemas';
import { defineRoute } from './route';

export const markRead = defineRoute({
  schema: RequestSchemas.markRead,
  async handle(input, { caller, deps }) {
    await deps.activity.markRead(caller.userId, input.conversationId, input.seq);
    return { type: 'ok' };
  },
});

export const typing = defineRoute({
  schema: RequestSchemas.typing,
  async handle(input, { caller, deps }) {
    await deps.activity.typing(caller.userId, input.conversationId);
    return { type: 'ok' };
  },
});

export const getPresence = defineRoute({
  schema: RequestSchemas.getPresence,
  async handle(input, { deps }) {
    return { type: 'presence', users: await deps.presence.get(input.userIds) };
  },
});
