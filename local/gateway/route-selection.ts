/**
 * API Gateway's route selection for WebSocket messages: evaluate `$request.body.<path>` on the JSON
 * body; an unknown value, a non-JSON or binary body goes to `$default`. Undefined when no route fits.
 */
export const selectRoute = (
  body: string | undefined,
  routeKeys: ReadonlySet<string>,
  expression = '$request.body.action',
): string | undefined => {
  const fallback = routeKeys.has('$default') ? '$default' : undefined;
  const prefix = '$request.body.';
  if (body === undefined || !expression.startsWith(prefix)) return fallback;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return fallback;
  }
  for (const key of expression.slice(prefix.length).split('.')) {
    if (typeof value !== 'object' || value === null) return fallback;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return fallback;
  const routeKey = String(value);
  return routeKeys.has(routeKey) && !routeKey.startsWith('$') ? routeKey : fallback;
};
