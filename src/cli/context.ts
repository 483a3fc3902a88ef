import { createApp, type App } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';

/** Opens the app for one command and always closes it, so the data directory is released. */
export async function withApp<T>(work: (app: App) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const app = await createApp(config, { log: createLogger(config, 'stderr') });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}
