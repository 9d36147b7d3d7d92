/** Facts that change and expire, on every backend pair a server runs on. */
import { randomBytes } from 'node:crypto';
import { backgroundContext } from '../../../src/domain/context';
import { onEveryBackend } from '../support/every-backend';
import { factValidityContract } from './fact-validity';

jest.setTimeout(300_000);

onEveryBackend('Fact validity and expiry', (backends) => {
  const collection = `validity_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await backends
      .vectors()
      .dropCollection?.(collection, backgroundContext())
      .catch(() => undefined);
  });
  factValidityContract({
    ...backends,
    collection,
    light: backends.kind === 'Milvus 2.3 standalone',
    singleSession: backends.kind === 'embedded',
  });
});
