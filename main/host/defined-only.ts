/**
 * The object without its undefined fields: a job's parameters are built from optional settings,
 * and a setting not given must be absent (so that the engine's default applies), not present as
 * undefined.
 */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
