/** One Azurite for the whole test run; workers find it through AZURITE_BLOB_ENDPOINT. */
import { startAzurite, type RunningAzurite } from './azurite';

declare global {
	var __AZURITE__: RunningAzurite | undefined;
}

export default async function globalSetup(): Promise<void> {
	const azurite = await startAzurite();
	globalThis.__AZURITE__ = azurite;
	process.env.AZURITE_BLOB_ENDPOINT = azurite.blobEndpoint;
}
