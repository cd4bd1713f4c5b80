import { describe, expect, it } from 'vitest';
import { parseArgs, parseCommand } from '../../../client/cli/commands';

describe('terminal client command line', () => {
  it('sends plain text, and text starting with // as a literal slash', () => {
    expect(parseCommand('hello there')).toEqual({ kind: 'send', text: 'hello there' });
    expect(parseCommand('//shrug')).toEqual({ kind: 'send', text: '/shrug' });
    expect(parseCommand('   ')).toBeUndefined();
  });

  it('parses the commands with their arguments', () => {
    expect(parseCommand('/open bob')).toEqual({ kind: 'open', userId: 'bob' });
    expect(parseCommand('/group team bob, carol')).toEqual({
      kind: 'group',
      name: 'team',
      memberIds: ['bob', 'carol'],
    });
    expect(parseCommand('/group "night shift" bob,carol')).toEqual({
      kind: 'group',
      name: 'night shift',
      memberIds: ['bob', 'carol'],
    });
    expect(parseCommand('/history')).toEqual({ kind: 'history', count: 20 });
    expect(parseCommand('/history 5')).toEqual({ kind: 'history', count: 5 });
    expect(parseCommand('/go 2')).toEqual({ kind: 'go', target: '2' });
    expect(parseCommand('/add dan,erin')).toEqual({ kind: 'add', userIds: ['dan', 'erin'] });
    expect(parseCommand('/LIST')).toEqual({ kind: 'list' });
    expect(parseCommand('/q')).toEqual({ kind: 'quit' });
  });

  it('explains a command it cannot use', () => {
    expect(parseCommand('/open')).toMatchObject({ kind: 'invalid' });
    expect(parseCommand('/group team')).toMatchObject({ kind: 'invalid' });
    expect(parseCommand('/history 0')).toMatchObject({ kind: 'invalid' });
    expect(parseCommand('/dance')).toEqual({
      kind: 'invalid',
      message: 'unknown command /dance (try /help)',
    });
  });

  it('reads --user, --url and --device, with defaults', () => {
    expect(parseArgs(['--user', 'alice'])).toEqual({
      user: 'alice',
      url: process.env.MESSENGER_URL ?? 'http://127.0.0.1:8080',
      device: 'cli-alice',
    });
    expect(parseArgs(['--user=bob', '--url', 'http://host:9000/', '--device', 'laptop'])).toEqual({
      user: 'bob',
      url: 'http://host:9000',
      device: 'laptop',
    });
    expect(parseArgs([])).toHaveProperty('error');
    expect(parseArgs(['--user'])).toHaveProperty('error');
    expect(parseArgs(['alice'])).toHaveProperty('error');
  });
});
