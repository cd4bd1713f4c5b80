import { describe, expect, it } from 'vitest';
import { FANOUT_SOURCE } from '../../../lambdas/shared/fanout-source';
import { Entity } from '../../../lambdas/shared/table-schema';
import { matchesAnyPattern, matchesPattern } from '../../../local/stream/event-filter';

const record = (eventName: string, entity?: string) => ({
  eventName,
  dynamodb: {
    Keys: { pk: { S: 'C#dm:alice:bob' }, sk: { S: 'M#000000000001' } },
    NewImage: entity === undefined ? undefined : { entity: { S: entity }, seq: { N: '1' } },
  },
});

describe('Lambda event filtering', () => {
  it("passes only new messages through the fan-out's own filter patterns", () => {
    // Prepare
    const patterns = FANOUT_SOURCE.filterPatterns;

    // Act
    const results = {
      newMessage: matchesAnyPattern(patterns, record('INSERT', Entity.message)),
      modifiedMessage: matchesAnyPattern(patterns, record('MODIFY', Entity.message)),
      newConnection: matchesAnyPattern(patterns, record('INSERT', Entity.connection)),
      removal: matchesAnyPattern(patterns, record('REMOVE')),
    };

    // Assess
    expect(results).toEqual({
      newMessage: true,
      modifiedMessage: false,
      newConnection: false,
      removal: false,
    });
  });

  it('matches prefix, suffix, anything-but, exists, equals-ignore-case and numeric rules', () => {
    // Prepare
    const event = { name: 'Messenger', kind: 'direct', count: 5, tags: ['a', 'b'] };

    // Act / Assess
    expect(matchesPattern({ name: [{ prefix: 'Mess' }] }, event)).toBe(true);
    expect(matchesPattern({ name: [{ prefix: 'mess' }] }, event)).toBe(false);
    expect(matchesPattern({ name: [{ suffix: 'nger' }] }, event)).toBe(true);
    expect(matchesPattern({ name: [{ 'equals-ignore-case': 'MESSENGER' }] }, event)).toBe(true);
    expect(matchesPattern({ kind: [{ 'anything-but': ['group'] }] }, event)).toBe(true);
    expect(matchesPattern({ kind: [{ 'anything-but': 'direct' }] }, event)).toBe(false);
    expect(matchesPattern({ kind: [{ 'anything-but': { prefix: 'dir' } }] }, event)).toBe(false);
    expect(matchesPattern({ missing: [{ exists: false }] }, event)).toBe(true);
    expect(matchesPattern({ kind: [{ exists: false }] }, event)).toBe(false);
    expect(matchesPattern({ count: [{ numeric: ['>', 1, '<=', 5] }] }, event)).toBe(true);
    expect(matchesPattern({ count: [{ numeric: ['>', 5] }] }, event)).toBe(false);
    expect(matchesPattern({ tags: ['b'] }, event)).toBe(true);
  });

  it('requires every key of a pattern and accepts any one of several patterns', () => {
    // Prepare
    const patterns = [{ kind: ['group'] }, { kind: ['direct'], name: ['Other'] }];

    // Act / Assess
    expect(matchesAnyPattern(patterns, { kind: 'direct', name: 'Messenger' })).toBe(false);
    expect(matchesAnyPattern(patterns, { kind: 'group' })).toBe(true);
    expect(matchesAnyPattern([], { anything: true })).toBe(true);
  });
});
