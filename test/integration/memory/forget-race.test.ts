/** The ForgetUser race on every backend pair a server runs on. */
import { randomBytes } from 'node:crypto';
import { backgroundContext } from '../../../src/domain/context';
import { onEveryBackend } from '../support/every-backend';
import { forgetRaceContract } from './forget-race';

jest.setTimeout(300_000);

onEveryBackend('ForgetUser race', (backends) => {
  const collection = `race_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await backends
      .vectors()
      .dropCollection?.(collection, backgroundContext())
      .catch(() => undefined);
  });
  forgetRaceContract({ ...backends, collection, light: backends.kind === 'Milvus 2.3 standalone' });
});
