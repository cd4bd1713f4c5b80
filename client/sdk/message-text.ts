import type { Message } from '../../lambdas/shared/protocol';

const names = (value: unknown, except?: string): string =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string' && v !== except).join(', ')
    : '';

/** One line of text for any message: its body, or a sentence for a membership change. */
export const messageText = (message: Message): string => {
  const data = message.data ?? {};
  switch (message.kind) {
    case 'text':
      return message.body;
    case 'group_created': {
      const others = names(data.memberIds, message.senderId);
      const name = typeof data.name === 'string' ? ` “${data.name}”` : '';
      return `${message.senderId} created the group${name}${others ? ` with ${others}` : ''}`;
    }
    case 'members_added':
      return `${message.senderId} added ${names(data.memberIds) || names(data.userIds) || 'members'}`;
    case 'member_removed': {
      const removed = typeof data.userId === 'string' ? data.userId : 'a member';
      return removed === message.senderId ? `${removed} left` : `${message.senderId} removed ${removed}`;
    }
    default:
      return message.body || String(message.kind);
  }
};
