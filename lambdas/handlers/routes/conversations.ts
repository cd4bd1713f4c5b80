import { RequestSchemas } from '../../shared/request-schemas';
import { defineRoute } from './route';

export const openDirect = defineRoute({
  schema: RequestSchemas.openDirect,
  async handle(input, { caller, deps }) {
    return {
      type: 'conversation',
      conversation: await deps.conversations.openDirect(caller.userId, input.userId),
    };
  },
});

export const listConversations = defineRoute({
  schema: RequestSchemas.listConversations,
  async handle(_input, { caller, deps }) {
    return { type: 'conversations', conversations: await deps.conversations.list(caller.userId) };
  },
});

export const ping = defineRoute({
  schema: RequestSchemas.ping,
  async handle() {
    return { type: 'pong' };
  },
});
