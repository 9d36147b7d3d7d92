import { setUpServices } from './global-setup-services';

/** Jest global set-up of the e2e tier: PostgreSQL and Milvus Lite (the built server's peers). */
export default async function globalSetupE2e(): Promise<void> {
  await setUpServices('e2e', { postgres: true, milvusLite: true, milvusStandalone: false });
}
