/** The embedding-space rules on every backend pair a server runs on. */
import { onEveryBackend } from '../support/every-backend';
import { embeddingSpacesContract } from './embedding-spaces';

jest.setTimeout(180_000);

onEveryBackend('embedding spaces', (backends) => embeddingSpacesContract(backends));
