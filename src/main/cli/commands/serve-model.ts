/** lab serve-model <run|export> [--port N] [--host addr --token T]: the same models.serve call as the app's Serve button. */
import path from 'node:path';
import type { CliContext } from '../context';
import { UsageError } from '../context';

export async function serveModelCommand(ctx: CliContext, positionals: string[], flags: { port?: string; host?: string; token?: string }): Promise<void> {
  const [model] = positionals;
  if (!model) throw new UsageError('lab serve-model needs a model: a run id or an export folder (holding model.json).');
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0–65535), got "${flags.port}".`);
  const token = flags.token ?? process.env.LAB_MODEL_TOKEN;
  const ref = path.isAbsolute(model) || model.includes(path.sep) || model.startsWith('.') ? path.resolve(model) : model;
  const status = await ctx.lab.call('models.serve', { model: ref, port, ...(flags.host ? { host: flags.host } : {}), ...(token ? { token } : {}) });
  ctx.out.emit({ type: 'result', serving: status });
  const auth = status.tokenRequired ? ' -H "Authorization: Bearer $TOKEN"' : '';
  ctx.out.text(
    [
      `Serving ${status.model} at ${status.url} (classes: ${status.labels?.join(', ')})`,
      `  curl${auth} --data-binary @image.png -H "Content-Type: image/png" ${status.url}/v1/predict`,
      `  curl${auth} -F images=@a.png -F images=@b.jpg ${status.url}/v1/predict/batch`,
      `  API description: ${status.url}/openapi.json   ·   Ctrl+C stops the server.`,
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await ctx.lab.call('models.stopServing');
}

