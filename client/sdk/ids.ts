/** Random ids from crypto.getRandomValues, which (unlike randomUUID) also works on plain-http origins. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** `length` characters of [A-Za-z0-9_-]: 6 bits each, so 22 characters carry 132 bits. */
export const randomId = (length = 22): string => {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte & 63];
  return id;
};
