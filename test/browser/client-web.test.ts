import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../e2e/support/local-stack';

/**
 * The web app in headless Debian Chromium against the local runtime: two users in two windows sign
 * in, chat, and each window shows the conversation in the same order. Screenshots go to test-results/.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-results');

const signIn = async (page: Page, url: string, userId: string): Promise<void> => {
  await page.goto(url);
  await page.getByLabel('User name').fill(userId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(`Signed in as ${userId}`).waitFor();
  await page.locator('.conn[data-status="online"]').waitFor();
};

const send = async (page: Page, text: string): Promise<void> => {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
};

const inLog = (page: Page, text: string) => page.getByRole('log').getByText(text, { exact: true });

/** Bodies shown in the open conversation, top to bottom, with their states. */
const shown = (page: Page) =>
  page.locator('[role="log"] li.msg').evaluateAll((items) =>
    items.map((li) => ({
      body: li.querySelector('.body')?.textContent ?? '',
      state: (li as HTMLElement).dataset.state ?? '',
    })),
  );

describe('web app in Chromium', () => {
  let stack: LocalStack;
  let browser: Browser;
  let webRoot: string;

  beforeAll(async () => {
    // Build the app into a private folder so the test never depends on (or clobbers) dist/web.
    webRoot = mkdtempSync(join(tmpdir(), 'messenger-web-'));
    await build({ configFile: 'client/web/vite.config.ts', logLevel: 'error', build: { outDir: webRoot } });
    stack = await startLocalStack({ webRoot });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('lets two users in two windows chat, each window showing the messages in order', async () => {
    // Prepare
    const alice = await (await browser.newContext({ viewport: { width: 1000, height: 700 } })).newPage();
    const bob = await (await browser.newContext({ viewport: { width: 1000, height: 700 } })).newPage();
    const errors: string[] = [];
    for (const page of [alice, bob]) page.on('pageerror', (error) => errors.push(error.message));
    await signIn(alice, stack.runtime.url, 'alice');
    await signIn(bob, stack.runtime.url, 'bob');

    // Act: alice opens a chat with bob by name; bob finds it in his list once the first message lands.
    await alice.getByLabel('User to chat with').fill('bob');
    await alice.getByRole('button', { name: 'Chat', exact: true }).click();
    await alice.getByRole('heading', { name: 'bob' }).waitFor();
    await send(alice, 'Hi Bob, this is message 1');
    await bob.getByRole('button', { name: /alice/ }).click();
    await inLog(bob, 'Hi Bob, this is message 1').waitFor();
    const script: [Page, string][] = [
      [bob, 'Hello Alice: message 2'],
      [alice, 'Message 3 from alice'],
      [bob, 'Message 4 from bob'],
    ];
    for (const [page, text] of script) {
      await send(page, text);
      await inLog(page === alice ? bob : alice, text).waitFor();
    }
    // A burst without waiting: the outbox keeps the order.
    for (let i = 5; i <= 9; i++) await send(alice, `Burst ${i}`);

    // Assess
    const expected = [
      'Hi Bob, this is message 1',
      'Hello Alice: message 2',
      'Message 3 from alice',
      'Message 4 from bob',
      ...[5, 6, 7, 8, 9].map((i) => `Burst ${i}`),
    ];
    for (const page of [alice, bob]) {
      await expect
        .poll(async () => (await shown(page)).map((m) => m.body), { timeout: 15_000 })
        .toEqual(expected);
    }
    await expect
      .poll(async () => (await shown(alice)).filter((m) => m.state === 'pending').length, { timeout: 10_000 })
      .toBe(0);
    // Bob has the conversation open, so he read everything: alice's last message shows as read.
    await expect.poll(async () => (await shown(alice)).at(-1)?.state, { timeout: 10_000 }).toBe('read');

    // A second tab of alice is a second device (its own deviceId): it shows the same history.
    const aliceTab2 = await alice.context().newPage();
    aliceTab2.on('pageerror', (error) => errors.push(error.message));
    // sessionStorage is per tab, so a new tab signs in on its own.
    await signIn(aliceTab2, stack.runtime.url, 'alice');
    await aliceTab2.getByRole('button', { name: /bob/ }).click();
    await expect
      .poll(async () => (await shown(aliceTab2)).map((m) => m.body), { timeout: 15_000 })
      .toEqual(expected);
    const deviceOf = (page: Page) => page.getByText(/^device /).textContent();
    expect(await deviceOf(aliceTab2)).not.toEqual(await deviceOf(alice));
    expect(errors).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await alice.screenshot({ path: join(ARTIFACTS, 'client-web-alice.png') });
    await bob.screenshot({ path: join(ARTIFACTS, 'client-web-bob.png') });
  }, 90_000);
});
