import type { Message } from '../../lambdas/shared/protocol';
import type { ConversationView } from '../sdk/conversation-store';
import { MessengerError } from '../sdk/errors';
import { messageText } from '../sdk/message-text';
import { MessengerClient } from '../sdk/messenger-client';
import type { OutboxEntry } from '../sdk/storage/client-storage';
import { IndexedDbStorage } from '../sdk/storage/indexeddb';
import { MemoryStorage } from '../sdk/storage/memory';
import { batched, h, reconcile } from './dom';
import { claimDeviceId, type DevToken, fetchDevToken, fetchPush, type PushNotice } from './session';

const TYPING_SHOWN_MS = 4_000;
const PUSH_POLL_MS = 3_000;

const errorText = (error: unknown): string =>
  error instanceof MessengerError
    ? `${error.code === 'NOT_FOUND' || error.code === 'BAD_REQUEST' ? 'Not possible' : 'Failed'}: ${error.message} (${error.code})`
    : error instanceof Error
      ? error.message
      : String(error);

const time = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ''
    : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
};

/** The signed-in app: conversation list, one open chat, and the push panel. */
export class ChatApp {
  private openId: string | undefined;
  private readonly typing = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly nodes = new Map<string, HTMLLIElement>();
  private pushTimer: ReturnType<typeof setInterval> | undefined;
  private loadingOlder = false;
  private readonly cleanups: (() => void)[] = [];

  // Static parts of the page.
  private readonly status = h('span', {
    class: 'conn',
    attrs: { role: 'status', 'data-status': 'connecting' },
  });
  private readonly list = h('ul', { class: 'conversations', attrs: { 'aria-label': 'Conversations' } });
  private readonly sidebarError = h('p', { class: 'error', attrs: { role: 'alert' } });
  private readonly chatTitle = h('h2', { attrs: { id: 'chat-title' }, text: 'No conversation open' });
  private readonly chatSub = h('p', { class: 'muted', attrs: { 'aria-live': 'polite' } });
  private readonly log = h('ol', {
    class: 'log',
    attrs: { role: 'log', 'aria-labelledby': 'chat-title', 'aria-live': 'polite', tabindex: 0 },
  });
  private readonly olderButton = h('button', {
    class: 'older',
    text: 'Load older messages',
    attrs: { type: 'button' },
  });
  private readonly input = h('textarea', {
    attrs: { id: 'composer-input', rows: 1, maxlength: 4000, placeholder: 'Write a message', disabled: true },
  });
  private readonly sendButton = h('button', {
    class: 'primary',
    text: 'Send',
    attrs: { type: 'submit', disabled: true },
  });
  private readonly olderItem = h('li', {}, this.olderButton);
  private readonly pushList = h('ol', { attrs: { 'aria-label': 'Captured push notifications' } });
  private readonly pushPanel = h(
    'details',
    { class: 'push' },
    h('summary', { text: 'Push notifications (captured locally)' }),
    this.pushList,
  );

  private readonly renderList = batched(() => this.drawList());
  private readonly renderChat = batched(() => this.drawChat());

  private constructor(
    private readonly root: HTMLElement,
    private readonly client: MessengerClient,
    private readonly onSignOut: () => Promise<void>,
  ) {}

  static async start(root: HTMLElement, first: DevToken, onSignOut: () => Promise<void>): Promise<ChatApp> {
    const deviceId = await claimDeviceId();
    const storage = await IndexedDbStorage.open({ name: `messenger:${first.userId}:${deviceId}` }).catch(
      () => new MemoryStorage(),
    );
    let firstToken: string | undefined = first.token;
    const client = new MessengerClient({
      url: first.wsUrl,
      userId: first.userId,
      deviceId,
      storage,
      getToken: async () => {
        const token = firstToken ?? (await fetchDevToken(first.userId)).token;
        firstToken = undefined;
        return token;
      },
    });
    const app = new ChatApp(root, client, onSignOut);
    app.mount();
    await client.start();
    app.renderList();
    client.once('synced').then(() => {
      // Lets this tab show up in the push panel when it is closed or offline.
      client.registerPush('GCM', `dev-web-${deviceId}`).catch(() => {});
    });
    return app;
  }

  async stop(): Promise<void> {
    for (const cleanup of this.cleanups) cleanup();
    if (this.pushTimer) clearInterval(this.pushTimer);
    await this.client.stop();
  }

  private mount(): void {
    const c = this.client;
    const signOut = h('button', { text: 'Sign out', attrs: { type: 'button' } });
    signOut.addEventListener('click', () => void this.onSignOut());

    const directInput = h('input', {
      attrs: { id: 'direct-user', placeholder: 'user name', required: true, autocomplete: 'off' },
    });
    const directForm = h(
      'form',
      { attrs: { 'aria-label': 'Open a chat with a user' } },
      h('label', { class: 'visually-hidden', text: 'User to chat with', attrs: { for: 'direct-user' } }),
      directInput,
      h('button', { text: 'Chat', attrs: { type: 'submit' } }),
    );
    directForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const userId = directInput.value.trim();
      if (!userId) return;
      this.sidebarError.textContent = '';
      c.openDirect(userId)
        .then((view) => {
          directInput.value = '';
          this.open(view.conversationId);
        })
        .catch((e: unknown) => {
          this.sidebarError.textContent = errorText(e);
        });
    });

    const groupName = h('input', { attrs: { id: 'group-name', placeholder: 'group name', required: true } });
    const groupMembers = h('input', {
      attrs: { id: 'group-members', placeholder: 'members: bob, carol', required: true },
    });
    const groupForm = h(
      'form',
      { attrs: { 'aria-label': 'Create a group' } },
      h('label', { class: 'visually-hidden', text: 'Group name', attrs: { for: 'group-name' } }),
      groupName,
      h('label', {
        class: 'visually-hidden',
        text: 'Members, comma separated',
        attrs: { for: 'group-members' },
      }),
      groupMembers,
      h('button', { text: 'Create group', attrs: { type: 'submit' } }),
    );
    groupForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const members = groupMembers.value
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean);
      this.sidebarError.textContent = '';
      c.createGroup(groupName.value.trim(), members)
        .then((view) => {
          groupName.value = groupMembers.value = '';
          this.open(view.conversationId);
        })
        .catch((e: unknown) => {
          this.sidebarError.textContent = `Could not create the group. ${errorText(e)}`;
        });
    });

    const composer = h(
      'form',
      { class: 'composer', attrs: { 'aria-label': 'Send a message' } },
      h('label', { class: 'visually-hidden', text: 'Message', attrs: { for: 'composer-input' } }),
      this.input,
      this.sendButton,
    );
    composer.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.input.addEventListener('input', () => {
      if (this.openId && this.input.value) c.sendTyping(this.openId);
    });
    this.olderButton.addEventListener('click', () => void this.loadOlder());
    this.log.addEventListener('scroll', () => {
      if (this.log.scrollTop < 40) void this.loadOlder();
      this.markReadIfSeen();
    });
    this.pushPanel.addEventListener('toggle', () => this.togglePush());

    this.root.replaceChildren(
      h(
        'div',
        { class: 'shell' },
        h(
          'header',
          { class: 'topbar' },
          h('h1', { text: 'Messenger' }),
          h('span', { text: `Signed in as ${c.userId}`, attrs: { 'data-testid': 'me' } }),
          h('span', { class: 'muted', text: `device ${c.deviceId}` }),
          h('span', { class: 'spacer' }),
          this.status,
          signOut,
        ),
        h(
          'nav',
          { class: 'sidebar', attrs: { 'aria-label': 'Conversations and new chats' } },
          h('h2', { text: 'New chat' }),
          directForm,
          groupForm,
          this.sidebarError,
          h('h2', { text: 'Conversations' }),
          this.list,
          this.pushPanel,
        ),
        h(
          'section',
          { class: 'chat', attrs: { 'aria-labelledby': 'chat-title' } },
          h('header', {}, this.chatTitle, this.chatSub),
          this.log,
          composer,
        ),
      ),
    );

    this.cleanups.push(
      c.on('status', (status) => {
        this.status.dataset.status = status;
        this.status.textContent =
          status === 'online' ? 'Online' : status === 'connecting' ? 'Reconnecting…' : status;
      }),
      c.on('conversation', () => {
        this.renderList();
        this.renderChat();
      }),
      c.on('message', (m) => {
        if (m.conversationId === this.openId) this.renderChat();
      }),
      c.on('outbox', (change) => {
        if (change.entry.conversationId === this.openId) this.renderChat();
      }),
      c.on('presence', () => {
        this.renderList();
        this.renderChat();
      }),
      c.on('typing', ({ conversationId, userId }) => this.showTyping(conversationId, userId)),
    );
    const online = () => c.reconnectNow();
    const seen = () => {
      // A tab coming back from the background should not sit out a long backoff delay.
      if (document.visibilityState === 'visible') c.reconnectNow();
      this.markReadIfSeen();
    };
    window.addEventListener('online', online);
    window.addEventListener('focus', seen);
    document.addEventListener('visibilitychange', seen);
    this.cleanups.push(() => {
      window.removeEventListener('online', online);
      window.removeEventListener('focus', seen);
      document.removeEventListener('visibilitychange', seen);
    });
  }

  private title(view: ConversationView): string {
    if (view.kind === 'group') return view.name ?? 'Group';
    return view.memberIds.find((id) => id !== this.client.userId) ?? view.conversationId;
  }

  private peer(view: ConversationView): string | undefined {
    return view.kind === 'direct' ? view.memberIds.find((id) => id !== this.client.userId) : undefined;
  }

  private drawList(): void {
    const items = this.client.conversations().map((view) => {
      const peer = this.peer(view);
      const presence = peer ? this.client.presence(peer) : undefined;
      const last = view.lastMessage;
      let sender = '';
      if (last?.kind === 'text') {
        if (last.senderId === this.client.userId) sender = 'You: ';
        else if (view.kind === 'group') sender = `${last.senderId}: `;
      }
      const preview = last ? `${sender}${messageText(last)}` : 'No messages yet';
      const button = h(
        'button',
        {
          attrs: {
            type: 'button',
            'aria-current': view.conversationId === this.openId ? 'true' : null,
            'data-conversation': view.conversationId,
          },
        },
        peer
          ? h('span', {
              class: 'dot',
              attrs: { 'data-status': presence?.status ?? 'unknown', 'aria-hidden': 'true' },
            })
          : h('span', { class: 'dot group', attrs: { 'aria-hidden': 'true' } }),
        h('span', { class: 'title', text: this.title(view) }),
        view.unread > 0
          ? h('span', {
              class: 'badge',
              text: String(view.unread),
              attrs: { 'aria-label': `${view.unread} unread` },
            })
          : h('span'),
        h('span', { class: 'preview', text: preview }),
        presence ? h('span', { class: 'visually-hidden', text: `, ${presence.status}` }) : null,
      );
      button.addEventListener('click', () => this.open(view.conversationId));
      return h('li', {}, button);
    });
    if (items.length === 0) items.push(h('li', { class: 'muted empty', text: 'No conversations yet.' }));
    this.list.replaceChildren(...items);
  }

  private open(conversationId: string): void {
    if (this.openId !== conversationId) {
      this.openId = conversationId;
      this.nodes.clear();
      this.log.replaceChildren();
    }
    this.input.disabled = this.sendButton.disabled = false;
    this.renderList();
    this.drawChat();
    this.log.scrollTop = this.log.scrollHeight;
    this.input.focus();
    this.markReadIfSeen();
  }

  private drawChat(): void {
    const id = this.openId;
    if (!id) {
      this.log.replaceChildren(
        h('li', { class: 'empty', text: 'Pick a conversation, or start one on the left.' }),
      );
      return;
    }
    const view = this.client.conversation(id);
    if (!view) return;
    this.chatTitle.textContent = this.title(view);
    if (!this.typing.has(id)) this.chatSub.textContent = this.subtitle(view);

    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 60;
    const readByOthers = Math.max(0, ...Object.values(view.readBy));
    const items: HTMLLIElement[] = [];
    if (view.hasOlder) items.push(this.olderItem);
    for (const message of this.client.messages(id)) {
      items.push(this.messageNode(message, readByOthers));
    }
    const shownIds = new Set(this.client.messages(id).map((m) => m.clientMessageId));
    for (const entry of this.client.pending(id)) {
      if (!shownIds.has(entry.clientMessageId)) items.push(this.pendingNode(entry));
    }
    const before = this.log.scrollHeight;
    const top = this.log.scrollTop;
    reconcile(this.log, items);
    const live = new Set<Node>(items);
    for (const [key, node] of this.nodes) if (key.startsWith('p:') && !live.has(node)) this.nodes.delete(key);
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
    else if (this.loadingOlder) this.log.scrollTop = top + (this.log.scrollHeight - before);
    this.markReadIfSeen();
  }

  private subtitle(view: ConversationView): string {
    const peer = this.peer(view);
    if (peer) {
      const presence = this.client.presence(peer);
      if (!presence) return '';
      if (presence.status === 'online') return 'online';
      return presence.lastSeen ? `last seen ${new Date(presence.lastSeen).toLocaleString()}` : 'offline';
    }
    return `${view.memberIds.length} members: ${view.memberIds.join(', ')}`;
  }

  private messageNode(message: Message, readByOthers: number): HTMLLIElement {
    const mine = message.senderId === this.client.userId;
    const state = !mine ? 'received' : message.seq <= readByOthers ? 'read' : 'sent';
    const meta = `${mine ? 'You' : message.senderId} · ${time(message.sentAt)}${mine ? ` · ${state === 'read' ? 'Read' : 'Sent'}` : ''}`;
    const key = `m:${message.seq}`;
    const cached = this.nodes.get(key);
    if (cached) {
      // Sent → Read changes the line in place: the node stays, so it is not announced again.
      if (cached.dataset.state !== state) {
        cached.dataset.state = state;
        const metaNode = cached.querySelector('.meta');
        if (metaNode) metaNode.textContent = meta;
      }
      return cached;
    }
    const node =
      message.kind !== 'text'
        ? h('li', { class: 'msg system', text: messageText(message), attrs: { 'data-seq': message.seq } })
        : h(
            'li',
            { class: mine ? 'msg mine' : 'msg', attrs: { 'data-seq': message.seq } },
            h('span', { class: 'meta', text: meta }),
            h('span', { class: 'body', text: message.body }),
          );
    node.dataset.state = state;
    this.nodes.set(key, node);
    return node;
  }

  private pendingNode(entry: OutboxEntry): HTMLLIElement {
    const key = `p:${entry.clientMessageId}:${entry.state}`;
    const cached = this.nodes.get(key);
    if (cached) return cached;
    const failed = entry.state === 'failed';
    const meta = h('span', {
      class: 'meta',
      text: failed ? `Not sent: ${entry.error?.message ?? 'refused'} ` : 'You · Sending…',
    });
    const node = h(
      'li',
      { class: 'msg mine', attrs: { 'data-state': entry.state, 'data-client-id': entry.clientMessageId } },
      meta,
      h('span', { class: 'body', text: entry.body }),
    );
    if (failed) {
      const retry = h('button', { text: 'Retry', attrs: { type: 'button' } });
      retry.addEventListener('click', () => this.client.retryMessage(entry.clientMessageId));
      const discard = h('button', { text: 'Discard', attrs: { type: 'button' } });
      discard.addEventListener('click', () => this.client.discardMessage(entry.clientMessageId));
      meta.append(retry, ' ', discard);
    }
    this.nodes.set(key, node);
    return node;
  }

  private send(): void {
    const id = this.openId;
    const body = this.input.value.trim();
    if (!id || !body) return;
    this.input.value = '';
    this.client.sendMessage(id, body).catch(() => {
      // A refused message stays in the outbox as failed and shows Retry / Discard.
    });
    this.renderChat();
  }

  private async loadOlder(): Promise<void> {
    const id = this.openId;
    if (!id || this.loadingOlder || !this.client.conversation(id)?.hasOlder) return;
    this.loadingOlder = true;
    this.olderButton.disabled = true;
    try {
      await this.client.loadOlder(id, 50);
      this.drawChat();
    } catch (e) {
      this.chatSub.textContent = errorText(e);
    } finally {
      this.loadingOlder = false;
      this.olderButton.disabled = false;
    }
  }

  private markReadIfSeen(): void {
    const id = this.openId;
    if (!id || document.visibilityState !== 'visible') return;
    const view = this.client.conversation(id);
    if (!view || view.unread === 0 || view.syncedSeq <= view.readSeq) return;
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 60;
    if (atBottom) void this.client.markRead(id);
  }

  private showTyping(conversationId: string, userId: string): void {
    const previous = this.typing.get(conversationId);
    if (previous) clearTimeout(previous);
    this.typing.set(
      conversationId,
      setTimeout(() => {
        this.typing.delete(conversationId);
        this.renderChat();
      }, TYPING_SHOWN_MS),
    );
    if (conversationId === this.openId) this.chatSub.textContent = `${userId} is typing…`;
  }

  private togglePush(): void {
    if (this.pushTimer) clearInterval(this.pushTimer);
    this.pushTimer = undefined;
    if (!this.pushPanel.open) return;
    const refresh = () => {
      fetchPush(this.client.userId)
        .then((notices) => this.drawPush(notices))
        .catch((e: unknown) =>
          this.pushList.replaceChildren(h('li', { class: 'error', text: errorText(e) })),
        );
    };
    refresh();
    this.pushTimer = setInterval(refresh, PUSH_POLL_MS);
  }

  private drawPush(notices: readonly PushNotice[]): void {
    if (notices.length === 0) {
      this.pushList.replaceChildren(
        h('li', { class: 'muted', text: 'None yet: pushes go to devices with no open connection.' }),
      );
      return;
    }
    this.pushList.replaceChildren(
      ...notices
        .slice(-50)
        .reverse()
        .map((n) =>
          h(
            'li',
            {},
            `${n.publishedAt ? time(n.publishedAt) : ''} ${n.conversationId ?? '?'} #${n.seq ?? '?'} → ${n.deviceId ?? n.platform ?? 'device'}`,
          ),
        ),
    );
  }
}
