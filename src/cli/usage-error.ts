/** A command-line mistake: the message says what is wrong; the tool prints it with its usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
