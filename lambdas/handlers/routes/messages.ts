import { RequestSchemas } from '../../shared/request-schemas';
import { defineRoute } from './route';

export const sendMessage = defineRoute({
  schema: RequestSchemas.sendMessage,
  async handle(input, { caller, deps }) {
    const result = await deps.messaging.send(caller.userId, input);
    return {
      type: 'ack',
      conversationId: result.conversationId,
      clientMessageId: result.clientMessageId,
      seq: result.seq,
      sentAt: result.sentAt,
    };
  },
});

export const sync = defineRoute({
  schema: RequestSchemas.sync,
  async handle(input, { caller, deps }) {
    const page = await deps.conversations.sync(
      caller.userId,
      input.conversationId,
      input.afterSeq,
      input.limit,
    );
    return { type: 'messages', ...page };
  },
});

export const history = defineRoute({
  schema: RequestSchemas.history,
  async handle(input, { caller, deps }) {
    const page = await deps.conversations.history(
      caller.userId,
      input.conversationId,
      input.beforeSeq,
      input.limit,
    );
    return { type: 'messages', ...page };
  },
});
