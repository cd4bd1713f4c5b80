import { ACTIONS } from './protocol';

/**
 * How the WebSocket API routes frames: one definition read by the CDK stack and by the local
 * gateway, so the two cannot drift.
 */
export const WEBSOCKET_API = {
  routeSelectionExpression: '$request.body.action',
  /** Where the $connect authorizer reads the token; a handshake without it is refused with 401. */
  authorizerIdentitySources: ['route.request.querystring.token'],
  /** Two-way routes (route response `$default`), all served by the request Lambda. */
  requestRoutes: ['$default', ...ACTIONS] as readonly string[],
} as const;
