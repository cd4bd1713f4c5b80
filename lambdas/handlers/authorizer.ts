import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { TokenVerifier } from '../adapters/token-verifier';
import { authConfig } from '../shared/config';
import { logger } from '../shared/logger';
import { DEVICE_ID_PATTERN, USER_ID_PATTERN } from '../shared/protocol';

/**
 * $connect authorizer. A missing or invalid token is thrown as 'Unauthorized' (API Gateway answers
 * 401); a valid token with a bad deviceId or user id gets a Deny policy (403). The context it returns
 * reaches every route of the connection: the sender is always taken from it.
 */
let verifier: TokenVerifier | undefined;

export const authorize = async (
  event: APIGatewayRequestAuthorizerEvent,
  tokens: Pick<TokenVerifier, 'verify'>,
): Promise<APIGatewayAuthorizerResult> => {
  const query = event.queryStringParameters ?? {};
  const token = query.token;
  if (!token) throw new Error('Unauthorized');
  let sub: string;
  try {
    ({ sub } = await tokens.verify(token));
  } catch (error) {
    logger.info('token refused', { reason: (error as { context?: unknown }).context });
    throw new Error('Unauthorized');
  }
  const deviceId = query.deviceId ?? '';
  const allowed = USER_ID_PATTERN.test(sub) && DEVICE_ID_PATTERN.test(deviceId);
  return {
    principalId: allowed ? sub : 'refused',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: allowed ? 'Allow' : 'Deny', Resource: event.methodArn },
      ],
    },
    ...(allowed ? { context: { userId: sub, deviceId } } : {}),
  };
};

export const handler = (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  verifier ??= new TokenVerifier(authConfig());
  return authorize(event, verifier);
};
