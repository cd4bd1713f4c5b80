/** The terminal client's command line: `/verb args` or text to send to the open conversation. */

export type Command =
  | { readonly kind: 'send'; readonly text: string }
  | { readonly kind: 'help' }
  | { readonly kind: 'list' }
  | { readonly kind: 'open'; readonly userId: string }
  | { readonly kind: 'go'; readonly target: string }
  | { readonly kind: 'group'; readonly name: string; readonly memberIds: string[] }
  | { readonly kind: 'add'; readonly userIds: string[] }
  | { readonly kind: 'leave' }
  | { readonly kind: 'history'; readonly count: number }
  | { readonly kind: 'read' }
  | { readonly kind: 'who' }
  | { readonly kind: 'push' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'invalid'; readonly message: string };

export const HELP = `Commands:
  /open <user>              open (or start) a 1:1 chat
  /list                     conversations with unread counts
  /go <number|id>           switch to a conversation from /list
  /group <name> <a,b,...>   create a group (the name may be "quoted")
  /add <a,b,...>            add members to the open group
  /leave                    leave the open group
  /history [n]              show n older messages (default 20)
  /read                     mark the open conversation read
  /who                      presence of the people you chat with
  /push                     push notifications captured for you (local runtime)
  /quit                     leave
Anything else is sent to the open conversation.`;

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export const parseCommand = (line: string): Command | undefined => {
  const text = line.trim();
  if (!text) return undefined;
  if (!text.startsWith('/') || text.startsWith('//')) {
    return { kind: 'send', text: text.startsWith('//') ? text.slice(1) : text };
  }
  const [verb = '', ...rest] = text.slice(1).split(/\s+/);
  const args = rest.join(' ');
  switch (verb.toLowerCase()) {
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'list':
    case 'ls':
      return { kind: 'list' };
    case 'open':
      return rest[0]
        ? { kind: 'open', userId: rest[0] }
        : { kind: 'invalid', message: 'usage: /open <user>' };
    case 'go':
      return rest[0]
        ? { kind: 'go', target: rest[0] }
        : { kind: 'invalid', message: 'usage: /go <number|id>' };
    case 'group': {
      const quoted = /^"([^"]+)"\s+(.+)$/.exec(args);
      const name = quoted ? quoted[1] : rest[0];
      const members = list(quoted ? quoted[2] : rest.slice(1).join(''));
      return name && members.length > 0
        ? { kind: 'group', name, memberIds: members }
        : { kind: 'invalid', message: 'usage: /group <name> <a,b,...>' };
    }
    case 'add': {
      const userIds = list(args);
      return userIds.length > 0
        ? { kind: 'add', userIds }
        : { kind: 'invalid', message: 'usage: /add <a,b,...>' };
    }
    case 'leave':
      return { kind: 'leave' };
    case 'history': {
      const count = rest[0] ? Number(rest[0]) : 20;
      return Number.isInteger(count) && count > 0 && count <= 200
        ? { kind: 'history', count }
        : { kind: 'invalid', message: 'usage: /history [1-200]' };
    }
    case 'read':
      return { kind: 'read' };
    case 'who':
      return { kind: 'who' };
    case 'push':
      return { kind: 'push' };
    case 'quit':
    case 'exit':
    case 'q':
      return { kind: 'quit' };
    default:
      return { kind: 'invalid', message: `unknown command /${verb} (try /help)` };
  }
};

export interface CliOptions {
  readonly user: string;
  readonly url: string;
  readonly device: string;
}

/** `--user alice [--url http://127.0.0.1:8080] [--device id]`. */
export const parseArgs = (argv: readonly string[]): CliOptions | { readonly error: string } => {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match?.[1]) return { error: `unexpected argument ${arg}` };
    const value = match[2] ?? argv[++i];
    if (value === undefined) return { error: `--${match[1]} needs a value` };
    values.set(match[1], value);
  }
  const user = values.get('user');
  if (!user)
    return { error: 'usage: npm run chat -- --user <name> [--url http://127.0.0.1:8080] [--device id]' };
  return {
    user,
    url: (values.get('url') ?? process.env.MESSENGER_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    device: values.get('device') ?? `cli-${user.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 64),
  };
};
