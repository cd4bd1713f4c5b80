/**
 * Lambda event filtering (the subset of EventBridge pattern syntax Lambda supports): a record passes
 * when it matches any pattern. A pattern's keys must all match; an array lists accepted values, each
 * an exact value or a rule: `prefix`, `suffix`, `anything-but`, `exists`, `equals-ignore-case`,
 * `numeric`. A nested object matches the nested field.
 */
export type FilterPattern = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const numericMatches = (conditions: unknown[], value: unknown): boolean => {
  if (typeof value !== 'number') return false;
  for (let index = 0; index + 1 < conditions.length; index += 2) {
    const operator = conditions[index];
    const bound = conditions[index + 1] as number;
    const ok =
      operator === '='
        ? value === bound
        : operator === '<'
          ? value < bound
          : operator === '<='
            ? value <= bound
            : operator === '>'
              ? value > bound
              : operator === '>='
                ? value >= bound
                : false;
    if (!ok) return false;
  }
  return true;
};

/** One accepted value against one present scalar value. */
const ruleMatches = (rule: unknown, value: unknown): boolean => {
  if (!isObject(rule)) return rule === value;
  if ('prefix' in rule) return typeof value === 'string' && value.startsWith(String(rule.prefix));
  if ('suffix' in rule) return typeof value === 'string' && value.endsWith(String(rule.suffix));
  if ('equals-ignore-case' in rule) {
    return (
      typeof value === 'string' && value.toLowerCase() === String(rule['equals-ignore-case']).toLowerCase()
    );
  }
  if ('anything-but' in rule) {
    const excluded = rule['anything-but'];
    if (isObject(excluded) && 'prefix' in excluded) {
      return typeof value === 'string' && !value.startsWith(String(excluded.prefix));
    }
    return !(Array.isArray(excluded) ? excluded : [excluded]).includes(value);
  }
  if ('numeric' in rule && Array.isArray(rule.numeric)) return numericMatches(rule.numeric, value);
  return false;
};

const fieldMatches = (accepted: unknown, value: unknown, present: boolean): boolean => {
  if (isObject(accepted)) return present && isObject(value) && matchesPattern(accepted, value);
  if (!Array.isArray(accepted)) return false;
  return accepted.some((rule) => {
    if (isObject(rule) && 'exists' in rule) return rule.exists === present;
    if (!present) return false;
    return Array.isArray(value) ? value.some((item) => ruleMatches(rule, item)) : ruleMatches(rule, value);
  });
};

export const matchesPattern = (pattern: FilterPattern, event: Record<string, unknown>): boolean =>
  Object.entries(pattern).every(([key, accepted]) =>
    fieldMatches(accepted, event[key], Object.hasOwn(event, key) && event[key] !== undefined),
  );

/** No patterns means no filtering. */
export const matchesAnyPattern = (patterns: readonly FilterPattern[], event: object): boolean =>
  patterns.length === 0 ||
  patterns.some((pattern) => matchesPattern(pattern, event as Record<string, unknown>));
