#!/usr/bin/env node
/**
 * The terminal client: `npm run chat -- --user alice [--url http://127.0.0.1:8080]`.
 * The same SDK as the web app, over the `ws` package (Node 20 has no global WebSocket).
 */
import { emitKeypressEvents } from 'node:readline';
import { createInterface } from 'node:readline/promises';
import WebSocket from 'ws';
import { DEVICE_ID_PATTERN, type Message, USER_ID_PATTERN } from '../../lambdas/shared/protocol';
import type { ConversationView } from '../sdk/conversation-store';
import { MessengerError } from '../sdk/errors';
import { messageText } from '../sdk/message-text';
import { MessengerClient } from '../sdk/messenger-client';
import { type Command, HELP, parseArgs, parseCommand } from './commands';

const options = parseArgs(process.argv.slice(2));
if ('error' in options) {
  console.error(options.error);
  process.exit(2);
}
if (!USER_ID_PATTERN.test(options.user) || !DEVICE_ID_PATTERN.test(options.device)) {
  console.error('invalid --user or --device');
  process.exit(2);
}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s);
const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
const red = (s: string) => (color ? `\x1b[31m${s}\x1b[39m` : s);

const devToken = async (): Promise<{ token: string; wsUrl: string }> => {
  const response = await fetch(`${options.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: options.user }),
  });
  if (!response.ok) throw new Error(`POST ${options.url}/dev/token answered ${response.status}`);
  return (await response.json()) as { token: string; wsUrl: string };
};

let first: { token: string; wsUrl: string };
try {
  first = await devToken();
} catch (error) {
  console.error(
    `Cannot reach the local runtime at ${options.url} (${(error as Error).message}). Is \`npm start\` running?`,
  );
  process.exit(1);
}

let spare: string | undefined = first.token;
const client = new MessengerClient({
  url: first.wsUrl,
  userId: options.user,
  deviceId: options.device,
  WebSocket,
  getToken: async () => {
    const token = spare ?? (await devToken()).token;
    spare = undefined;
    return token;
  },
});

const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
let current: string | undefined;
let listed: ConversationView[] = [];

const title = (view: ConversationView | undefined): string => {
  if (!view) return '';
  if (view.kind === 'group') return view.name ?? view.conversationId;
  return view.memberIds.find((id) => id !== options.user) ?? view.conversationId;
};

const setPrompt = () => rl.setPrompt(current ? `${bold(title(client.conversation(current)))}> ` : '> ');

/** Prints above the prompt without mangling what the user is typing. */
const say = (text: string) => {
  if (process.stdout.isTTY) {
    process.stdout.write('\r\x1b[2K');
    console.log(text);
    rl.prompt(true);
  } else {
    console.log(text);
  }
};

const format = (m: Message): string => {
  const time = dim(new Date(m.sentAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  if (m.kind !== 'text') return `${time} ${dim(`* ${messageText(m)}`)}`;
  const who = m.senderId === options.user ? dim('you') : bold(m.senderId);
  return `${time} ${who}: ${m.body}`;
};

const show = (conversationId: string, count = 20) => {
  const messages = client.messages(conversationId);
  for (const m of messages.slice(-count)) say(format(m));
  for (const p of client.pending(conversationId)) say(dim(`…  you: ${p.body} (${p.state})`));
};

const open = (view: ConversationView) => {
  current = view.conversationId;
  setPrompt();
  say(dim(`— ${title(view)} (${view.conversationId}) —`));
  show(view.conversationId);
  void client.markRead(view.conversationId);
};

const explain = (error: unknown): string =>
  error instanceof MessengerError ? `${error.code}: ${error.message}` : (error as Error).message;

const run = async (command: Command): Promise<boolean> => {
  switch (command.kind) {
    case 'send':
      if (!current) {
        say(red('No conversation open: /open <user> first.'));
        return true;
      }
      client.sendMessage(current, command.text).catch((e: unknown) => say(red(`not sent: ${explain(e)}`)));
      if (client.status !== 'online') say(dim('(queued: will be sent when back online)'));
      return true;
    case 'help':
      say(HELP);
      return true;
    case 'list':
      listed = client.conversations();
      if (listed.length === 0) say(dim('No conversations yet: /open <user>'));
      listed.forEach((view, i) => {
        const last = view.lastMessage;
        const unread = view.unread > 0 ? bold(` (${view.unread} unread)`) : '';
        say(
          `${i + 1}. ${title(view)}${unread}${last ? dim(` — ${last.senderId}: ${last.body.slice(0, 50)}`) : ''}`,
        );
      });
      return true;
    case 'open':
      open(await client.openDirect(command.userId));
      return true;
    case 'go': {
      const byIndex = listed[Number(command.target) - 1];
      const view = byIndex ?? client.conversation(command.target);
      if (!view) say(red('No such conversation: /list first.'));
      else open(view);
      return true;
    }
    case 'group':
      open(await client.createGroup(command.name, command.memberIds));
      return true;
    case 'add':
      if (current)
        say(dim(`members: ${(await client.addMembers(current, command.userIds)).memberIds.join(', ')}`));
      return true;
    case 'leave':
      if (current) await client.removeMember(current, options.user);
      current = undefined;
      setPrompt();
      return true;
    case 'history':
      if (current) {
        const { messages, hasMore } = await client.loadOlder(current, command.count);
        for (const m of messages) say(format(m));
        if (!hasMore) say(dim('(start of the conversation)'));
      }
      return true;
    case 'read':
      if (current) await client.markRead(current);
      return true;
    case 'who': {
      const peers = [
        ...new Set(
          client
            .conversations()
            .filter((c) => c.kind === 'direct')
            .flatMap((c) => c.memberIds.filter((id) => id !== options.user)),
        ),
      ];
      if (peers.length === 0) say(dim('Nobody yet.'));
      else
        for (const p of await client.getPresence(peers))
          say(`${p.userId}: ${p.status}${p.lastSeen ? dim(` (last seen ${p.lastSeen})`) : ''}`);
      return true;
    }
    case 'push': {
      const response = await fetch(`${options.url}/dev/push?userId=${encodeURIComponent(options.user)}`);
      const { notifications = [] } = (await response.json()) as { notifications?: Record<string, unknown>[] };
      if (notifications.length === 0) say(dim('No push notifications captured.'));
      for (const n of notifications.slice(-20))
        say(
          `${String(n.publishedAt ?? '')} ${String(n.conversationId)} #${String(n.seq)} → ${String(n.deviceId)}`,
        );
      return true;
    }
    case 'quit':
      return false;
    case 'invalid':
      say(red(command.message));
      return true;
  }
};

// The first catch-up of a fresh device can bring hundreds of old messages: summarize instead.
let caughtUp = false;
client.once('synced').then(() => {
  caughtUp = true;
  const unread = client.conversations().filter((c) => c.unread > 0);
  if (unread.length > 0) {
    say(`Unread: ${unread.map((c) => `${title(c)} (${c.unread})`).join(', ')}. /list, then /go <n>.`);
  }
});

client.on('message', (m) => {
  if (!caughtUp) return;
  if (m.conversationId === current) {
    say(format(m));
    if (m.senderId !== options.user) void client.markRead(m.conversationId);
  } else if (m.senderId !== options.user) {
    say(dim(`[${title(client.conversation(m.conversationId)) || m.conversationId}] `) + format(m));
  }
});
client.on('typing', ({ conversationId, userId }) => {
  if (conversationId === current) say(dim(`${userId} is typing…`));
});
client.on('outbox', (change) => {
  if (change.state === 'failed') say(red(`not sent (${change.entry.error?.code}): ${change.entry.body}`));
});
let everOnline = false;
client.on('status', (status) => {
  if (status === 'online') everOnline = true;
  const label = status === 'connecting' ? (everOnline ? 'reconnecting…' : 'connecting…') : status;
  say(dim(`[${label}]`));
});
client.on('conversation', () => setPrompt());

if (process.stdin.isTTY) {
  emitKeypressEvents(process.stdin);
  process.stdin.on('keypress', () => {
    if (current && rl.line.length > 0 && !rl.line.startsWith('/')) client.sendTyping(current);
  });
}

say(dim(`Messenger — ${options.user} on ${options.url} as device ${options.device}. /help for commands.`));
await client.start();
setPrompt();
rl.prompt();

for await (const line of rl) {
  const command = parseCommand(line);
  if (command) {
    try {
      if (!(await run(command))) break;
    } catch (error) {
      say(red(explain(error)));
    }
  }
  rl.prompt();
}
rl.close();
await client.stop();
process.exit(0);
