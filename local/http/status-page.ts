export interface StatusPageFacts {
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly health: () => { readonly healthy: boolean };
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** What `/` shows until the web app is built into dist/web. */
export const statusPage = ({ baseUrl, wsUrl, health }: StatusPageFacts): string => {
  const curl = `curl -s -X POST ${baseUrl}/dev/token -H 'content-type: application/json' -d '{"userId":"alice"}'`;
  const rows: [string, string][] = [
    ['Health', `${baseUrl}/healthz`],
    ['WebSocket', `${wsUrl}?token=&lt;token&gt;&amp;deviceId=&lt;deviceId&gt;`],
    ['Token', escapeHtml(curl)],
    ['Push notifications', `${baseUrl}/dev/push?userId=alice`],
    ['Dead-letter queue', `${baseUrl}/dev/dlq`],
    ['@connections API', `${baseUrl}/@connections/{connectionId}`],
    ['JWKS', `${baseUrl}/.well-known/jwks.json`],
  ];
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Messenger local runtime</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}
code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}td{padding:.3rem .8rem .3rem 0;vertical-align:top}</style></head>
<body>
<h1>Messenger local runtime</h1>
<p>Status: <strong>${health().healthy ? 'ready' : 'starting'}</strong>. The web app appears here once it is built into <code>dist/web</code>.</p>
<table>${rows.map(([name, value]) => `<tr><td>${name}</td><td><code>${value}</code></td></tr>`).join('\n')}</table>
<p>Chat with <code>wscat -c "${wsUrl}?token=$TOKEN&amp;deviceId=laptop"</code>, then send
<code>{"action":"openDirect","requestId":"r1","userId":"bob"}</code>.</p>
</body>
</html>
`;
};
