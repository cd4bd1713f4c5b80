import type { z } from 'zod';
import type { TableDependencies } from '../../adapters/dependencies';
import type { Answer } from '../../shared/protocol';
import type { Caller } from '../websocket-event';

/** What an action answers, before the router adds the requestId. */
export type AnswerBody = Answer extends infer A ? (A extends Answer ? Omit<A, 'requestId'> : never) : never;

export interface RouteContext {
  caller: Caller;
  deps: TableDependencies;
}

export interface Route<S extends z.ZodType = z.ZodType> {
  schema: S;
  handle(input: z.output<S>, context: RouteContext): Promise<AnswerBody>;
}

export const defineRoute = <S extends z.ZodType>(route: Route<S>): Route<S> => route;
