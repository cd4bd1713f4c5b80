/**
 * The shape of a JSON value as a flat map from path to type: `requestContext.connectedAt: number`.
 * Paths listed as maps (headers, images, ...) are described as `map<type>` without their keys.
 */
export const shapeOf = (value: unknown, maps: readonly string[] = [], path = ''): Record<string, string> => {
  const here = path || '(root)';
  if (value === null) return { [here]: 'null' };
  if (Array.isArray(value)) {
    return value.length === 0 ? { [here]: 'array' } : shapeOf(value[0], maps, `${path}[]`);
  }
  if (typeof value !== 'object') return { [here]: typeof value };
  if (maps.includes(path)) {
    const types = new Set(Object.values(value).map((item) => (Array.isArray(item) ? 'array' : typeof item)));
    return { [here]: `map<${[...types].sort().join('|') || 'any'}>` };
  }
  const shape: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    Object.assign(shape, shapeOf(item, maps, path ? `${path}.${key}` : key));
  }
  return shape;
};

/** Paths of the recorded shape the produced one lacks or types differently, and paths it adds. */
export const compareShapes = (
  produced: Record<string, string>,
  recorded: Record<string, string>,
): { missing: string[]; mistyped: string[]; extra: string[] } => ({
  missing: Object.keys(recorded).filter((path) => !(path in produced)),
  mistyped: Object.keys(recorded).filter((path) => path in produced && produced[path] !== recorded[path]),
  extra: Object.keys(produced).filter((path) => !(path in recorded)),
});
