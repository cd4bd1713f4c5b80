import { describe, expect, it } from 'vitest';
import { selectRoute } from '../../../local/gateway/route-selection';

const ROUTES = new Set(['$default', 'sendMessage', 'ping']);

describe('selectRoute', () => {
  it('selects the route named by the action', () => {
    // Prepare / Act / Assess
    expect(selectRoute('{"action":"sendMessage","body":"hi"}', ROUTES)).toBe('sendMessage');
  });

  it('falls back to $default for an unknown action, a missing one, a non-JSON body and a binary message', () => {
    // Prepare / Act / Assess
    expect(selectRoute('{"action":"nope"}', ROUTES)).toBe('$default');
    expect(selectRoute('{"requestId":"r1"}', ROUTES)).toBe('$default');
    expect(selectRoute('not json', ROUTES)).toBe('$default');
    expect(selectRoute('[1,2]', ROUTES)).toBe('$default');
    expect(selectRoute(undefined, ROUTES)).toBe('$default');
  });

  it('never selects a reserved route from the frame', () => {
    // Prepare / Act / Assess
    expect(selectRoute('{"action":"$default"}', new Set(['$default', '$connect']))).toBe('$default');
    expect(selectRoute('{"action":"$connect"}', new Set(['$default', '$connect']))).toBe('$default');
  });

  it('selects nothing when no route fits and there is no $default', () => {
    // Prepare / Act / Assess
    expect(selectRoute('{"action":"nope"}', new Set(['ping']))).toBeUndefined();
  });

  it('follows a nested selection expression', () => {
    // Prepare / Act / Assess
    expect(selectRoute('{"meta":{"route":"ping"}}', ROUTES, '$request.body.meta.route')).toBe('ping');
  });
});
