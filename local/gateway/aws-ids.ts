import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An id shaped like API Gateway's connection and request ids: 15 characters and `=`, e.g. `KVmb8fjMIAMCFgQ=`. */
export const awsStyleId = (): string => {
  let id = '';
  for (const byte of randomBytes(15)) id += ALPHABET[byte % ALPHABET.length];
  return `${id}=`;
};

/** An X-Ray trace header value, as API Gateway adds to the requests it forwards. */
export const traceId = (now: number): string =>
  `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

const pad = (value: number): string => value.toString().padStart(2, '0');

/** `requestContext.requestTime`: CLF format in UTC, e.g. `09/Feb/2024:18:11:43 +0000`. */
export const requestTime = (epochMs: number): string => {
  const date = new Date(epochMs);
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
};
