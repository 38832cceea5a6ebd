import { existsSync } from 'node:fs';
import { startServer } from '../../server/serve';
import { rendererDir } from '../../install-paths';
import type { CliContext } from '../context';

export const RENDERER_DIR = rendererDir();

export async function serveCommand(ctx: CliContext, flags: { port?: string; token?: string }): Promise<void> {
  if (!existsSync(RENDERER_DIR)) ctx.out.emit({ type: 'warning', message: 'The renderer is not built yet: run `npm run build:renderer` (the API works meanwhile).' });
  const server = await startServer({
    service: ctx.service,
    rendererDir: RENDERER_DIR,
    port: flags.port ? Number(flags.port) : 0,
    ...(flags.token ? { token: flags.token } : process.env.LAB_TOKEN ? { token: process.env.LAB_TOKEN } : {}),
  });
  ctx.out.emit({ type: 'result', url: server.url, port: server.port });
  ctx.out.text(`The lab is running at:\n  ${server.url}\nOpen that URL in a browser (it carries the access token). Ctrl+C stops the server.`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
}
