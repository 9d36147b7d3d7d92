import { InvalidArgumentError } from '../errors';

/** Collections whose name starts with `_` belong to recall itself (golden answers, facts). */
export function isInternalCollection(name: string): boolean {
  return name.startsWith('_');
}

/** Throws InvalidArgumentError naming `field` when a caller targets an internal collection. */
export function assertPublicCollection(name: string, field: string): void {
  if (isInternalCollection(name)) {
    throw InvalidArgumentError.of(field, 'names starting with "_" are reserved for internal collections');
  }
}
