import { setUpServices } from './global-setup-services';

/** Jest global set-up of the integration tier: PostgreSQL, Milvus Lite and the Milvus 2.3 standalone. */
export default async function globalSetupIntegration(): Promise<void> {
  await setUpServices('integration', { postgres: true, milvusLite: true, milvusStandalone: true });
}
