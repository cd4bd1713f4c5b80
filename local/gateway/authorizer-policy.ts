import type { AuthorizerContext } from './websocket-events';

/** What API Gateway makes of a Lambda authorizer's answer. */
export type AuthorizerDecision =
  | { readonly effect: 'allow'; readonly principalId: string; readonly context: AuthorizerContext }
  | { readonly effect: 'deny' }
  | { readonly effect: 'invalid'; readonly reason: string };

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

const wildcardMatch = (pattern: string, value: string): boolean => {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(value);
};

const statementMatches = (statement: Statement, resource: string): boolean =>
  asList(statement.Action).some(
    (action) => typeof action === 'string' && wildcardMatch(action.toLowerCase(), 'execute-api:invoke'),
  ) &&
  asList(statement.Resource).some(
    (pattern) => typeof pattern === 'string' && wildcardMatch(pattern, resource),
  );

/**
 * Evaluates an authorizer's IAM policy for one method ARN as API Gateway does: an explicit Deny wins,
 * then an Allow is needed; a malformed answer or a context with non-scalar values is a configuration
 * error (500).
 */
export const evaluateAuthorizerResult = (result: unknown, resource: string): AuthorizerDecision => {
  if (typeof result !== 'object' || result === null) return { effect: 'invalid', reason: 'no policy' };
  const { principalId, policyDocument, context } = result as Record<string, unknown>;
  const statements = asList((policyDocument as { Statement?: unknown } | undefined)?.Statement).filter(
    (statement): statement is Statement => typeof statement === 'object' && statement !== null,
  );
  if (typeof principalId !== 'string' || statements.length === 0) {
    return { effect: 'invalid', reason: 'missing principalId or policy statements' };
  }
  const matching = statements.filter((statement) => statementMatches(statement, resource));
  if (matching.some((statement) => String(statement.Effect).toLowerCase() === 'deny'))
    return { effect: 'deny' };
  if (!matching.some((statement) => String(statement.Effect).toLowerCase() === 'allow'))
    return { effect: 'deny' };

  const values: AuthorizerContext = {};
  for (const [key, value] of Object.entries((context as Record<string, unknown> | null | undefined) ?? {})) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return { effect: 'invalid', reason: `context value ${key} is not a string, number or boolean` };
    }
    values[key] = value;
  }
  return { effect: 'allow', principalId, context: values };
};
