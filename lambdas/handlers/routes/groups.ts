import { RequestSchemas } from '../../shared/request-schemas';
import { defineRoute } from './route';

export const createGroup = defineRoute({
  schema: RequestSchemas.createGroup,
  async handle(input, { caller, deps }) {
    return {
      type: 'conversation',
      conversation: await deps.groups.create(caller.userId, input.name, input.memberIds),
    };
  },
});

export const addMembers = defineRoute({
  schema: RequestSchemas.addMembers,
  async handle(input, { caller, deps }) {
    const conversation = await deps.groups.addMembers(caller.userId, input.conversationId, input.userIds);
    return { type: 'conversation', conversation };
  },
});

export const removeMember = defineRoute({
  schema: RequestSchemas.removeMember,
  async handle(input, { caller, deps }) {
    const conversation = await deps.groups.removeMember(caller.userId, input.conversationId, input.userId);
    return { type: 'conversation', conversation };
  },
});
