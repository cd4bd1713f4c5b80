import { randomId } from '../sdk/ids';

/** What POST /dev/token answers. */
export interface DevToken {
  readonly token: string;
  readonly userId: string;
  readonly wsUrl: string;
  readonly expiresAt: string;
}

/** A token from the local identity provider on the same origin. */
export const fetchDevToken = async (userId: string): Promise<DevToken> => {
  const response = await fetch('dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<DevToken> & { message?: string };
  if (!response.ok || !body.token || !body.wsUrl) {
    throw new Error(body.message ?? `sign-in failed (HTTP ${response.status})`);
  }
  return body as DevToken;
};

export interface PushNotice {
  readonly messageId?: string;
  readonly publishedAt?: string;
  readonly conversationId?: string;
  readonly seq?: number;
  readonly deviceId?: string;
  readonly platform?: string;
}

export const fetchPush = async (userId: string): Promise<PushNotice[]> => {
  const response = await fetch(`dev/push?userId=${encodeURIComponent(userId)}`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = (await response.json()) as { notifications?: PushNotice[] };
  return body.notifications ?? [];
};

const USER_KEY = 'messenger.user';
const DEVICE_KEY = 'messenger.device';
const POOL_KEY = 'messenger.devices';

/** The signed-in user of this tab (sessionStorage: each tab signs in on its own; reload keeps it). */
export const savedUser = (): string | null => sessionStorage.getItem(USER_KEY);
export const saveUser = (userId: string | null): void => {
  if (userId) sessionStorage.setItem(USER_KEY, userId);
  else sessionStorage.removeItem(USER_KEY);
};

/** Holds a Web Lock for the life of the tab; false when another tab holds it. */
const holdLock = (name: string): Promise<boolean> =>
  new Promise((resolve) => {
    navigator.locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(false);
          return undefined;
        }
        resolve(true);
        return new Promise<void>(() => {});
      })
      .catch(() => resolve(false));
  });

/**
 * Every tab is one device. A tab reuses the device id it had before a reload, else the first id of
 * an earlier (closed) tab that no open tab holds, so its stored history and unsent messages are
 * picked up again; only when all are in use does it make a new one. Web Locks tell which are free.
 */
export const claimDeviceId = async (): Promise<string> => {
  const fresh = () => `web-${randomId(16)}`;
  if (!('locks' in navigator)) {
    const id = sessionStorage.getItem(DEVICE_KEY) ?? fresh();
    sessionStorage.setItem(DEVICE_KEY, id);
    return id;
  }
  const pool = JSON.parse(localStorage.getItem(POOL_KEY) ?? '[]') as string[];
  const previous = sessionStorage.getItem(DEVICE_KEY);
  const candidates = [...new Set([...(previous ? [previous] : []), ...pool])];
  let chosen: string | undefined;
  for (const id of candidates) {
    if (await holdLock(`messenger-device:${id}`)) {
      chosen = id;
      break;
    }
  }
  if (!chosen) {
    chosen = fresh();
    await holdLock(`messenger-device:${chosen}`);
    const latest = JSON.parse(localStorage.getItem(POOL_KEY) ?? '[]') as string[];
    localStorage.setItem(POOL_KEY, JSON.stringify([...latest, chosen].slice(-20)));
  }
  sessionStorage.setItem(DEVICE_KEY, chosen);
  return chosen;
};
