import { type TableDependencies, tableDependencies } from '../adapters/dependencies';
import { BadRequestError } from '../shared/errors';
import { logger } from '../shared/logger';
import type { Action } from '../shared/protocol';
import { errorFrame, frameResult, parseFrame, salvageRequestId } from './frames';
import { getPresence, markRead, typing } from './routes/activity';
import { listConversations, openDirect, ping } from './routes/conversations';
import { addMembers, createGroup, removeMember } from './routes/groups';
import { history, sendMessage, sync } from './routes/messages';
import { registerPush } from './routes/push';
import type { Route } from './routes/route';
import { callerOf, type WebSocketEvent, type WebSocketResult } from './websocket-event';

/** Every action route and $default: validate the frame, run the action, answer one frame. */
const ROUTES: Partial<Record<Action, Route>> = {
  sendMessage,
  openDirect,
  listConversations,
  sync,
  history,
  createGroup,
  addMembers,
  removeMember,
  markRead,
  typing,
  getPresence,
  registerPush,
  ping,
};

export const handleRequest = async (
  event: WebSocketEvent,
  deps: TableDependencies,
): Promise<WebSocketResult> => {
  const log = logger.child({
    connectionId: event.requestContext.connectionId,
    awsRequestId: event.requestContext.requestId,
  });
  let requestId: string | undefined;
  try {
    const frame = parseFrame(event);
    requestId = frame.requestId;
    const route = typeof frame.action === 'string' ? ROUTES[frame.action as Action] : undefined;
    if (!route || !Object.hasOwn(ROUTES, frame.action as string)) {
      throw new BadRequestError(`Unknown action: ${String(frame.action).slice(0, 64)}`);
    }
    const input = route.schema.safeParse(frame.fields);
    if (!input.success) {
      const issue = input.error.issues[0];
      throw new BadRequestError(`${issue?.path.join('.') || 'frame'}: ${issue?.message ?? 'invalid'}`);
    }
    const caller = callerOf(event);
    const answer = await route.handle(input.data, { caller, deps });
    return frameResult({ ...answer, requestId });
  } catch (error) {
    return frameResult(errorFrame(error, requestId ?? salvageRequestId(event), log));
  }
};

export const handler = (event: WebSocketEvent): Promise<WebSocketResult> =>
  handleRequest(event, tableDependencies());
