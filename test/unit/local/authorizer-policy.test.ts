import { describe, expect, it } from 'vitest';
import { evaluateAuthorizerResult } from '../../../local/gateway/authorizer-policy';

const ARN = 'arn:aws:execute-api:us-east-1:000000000000:local/local/$connect';

const policy = (effect: string, resource: string | string[] = ARN, context?: Record<string, unknown>) => ({
  principalId: 'alice',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
  ...(context ? { context } : {}),
});

describe('evaluateAuthorizerResult', () => {
  it('allows an Allow policy for the method ARN and passes its context on', () => {
    // Prepare / Act
    const decision = evaluateAuthorizerResult(policy('Allow', ARN, { userId: 'alice', n: 1, ok: true }), ARN);

    // Assess
    expect(decision).toEqual({
      effect: 'allow',
      principalId: 'alice',
      context: { userId: 'alice', n: 1, ok: true },
    });
  });

  it('matches wildcard resources', () => {
    // Prepare / Act
    const decision = evaluateAuthorizerResult(policy('Allow', 'arn:aws:execute-api:*:*:local/*'), ARN);

    // Assess
    expect(decision.effect).toBe('allow');
  });

  it('denies a Deny policy, an Allow for another resource, and an explicit Deny next to an Allow', () => {
    // Prepare
    const both = policy('Allow');
    both.policyDocument.Statement.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ARN });

    // Act / Assess
    expect(evaluateAuthorizerResult(policy('Deny'), ARN).effect).toBe('deny');
    expect(evaluateAuthorizerResult(policy('Allow', `${ARN}x`), ARN).effect).toBe('deny');
    expect(evaluateAuthorizerResult(both, ARN).effect).toBe('deny');
  });

  it('treats a malformed answer or a nested context value as a configuration error', () => {
    // Prepare / Act / Assess
    expect(evaluateAuthorizerResult(undefined, ARN).effect).toBe('invalid');
    expect(evaluateAuthorizerResult({ principalId: 'alice' }, ARN).effect).toBe('invalid');
    expect(evaluateAuthorizerResult(policy('Allow', ARN, { nested: { a: 1 } }), ARN).effect).toBe('invalid');
  });
});
