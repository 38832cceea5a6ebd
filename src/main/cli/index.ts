/** The `lab` command: the same LabService as the app and `lab serve`, driven from a terminal. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { toLabErrorData } from '../../shared/errors';
import { resolveLocale } from '../../shared/messages';
import { createLabService } from '../service/lab-service';
import { localClient } from '../service/local-client';
import { forkLauncher } from '../worker/fork-launcher';
import { openWorkspace } from '../workspace';
import { backbonesCommand } from './commands/backbones';
import { demoCommand } from './commands/demo';
import { renameCommand } from './commands/rename';
import { serveCommand } from './commands/serve';
import { serveModelCommand } from './commands/serve-model';
import { doctorCommand, evaluateCommand, exportCommand, importCommand, predictCommand, reportCommand } from './commands/simple';
import { resumeCommand, trainCommand } from './commands/train';
import { tuneCommand } from './commands/tune';
import { UsageError, type CliContext } from './context';
import { humanReporter, jsonReporter } from './reporter';

const USAGE = `Usage: lab <command> [options]

Commands:
  demo                               import the bundled sample, train a small CNN, evaluate, export
  import <dir>...                    scan and validate image folders (one subfolder per class)
  train <dir|dataset> [--config file.json] [--epochs N] [--batch-size N] [--lr X]
                      [--optimizer sgd|momentum|nesterov|adagrad|rmsprop|adam] [--size N] [--channels 1|3] [--out dir]
                      [--balance none|class-weights|oversample]
                      [--engine lab|torch [--processes N] [--device auto|cpu|cuda]
                       [--launcher local|template --command-template "<cmd with {rank} {worldSize} {masterAddr} {masterPort} {jobDir}>"]]
                      --engine torch trains the same experiment as a PyTorch DistributedDataParallel job
                      (N local processes, or your command per rank: ssh, srun…; docs/SCALE-OUT.md) and brings it back
                      without a model in --config (or with "model": "auto"), the model, input and epochs are
                      chosen from the images (photos → frozen MobileNetV2 transfer; small images → CNN) and the
                      reason is printed and kept in the run's config.json
  tune <dir|dataset> [--steps 1-6] [--resume id [--rerun]] [--budgets json|file]   the six-step guide to choosing hyperparameters
  tune <dir|dataset> --search grid|random --space json|file [--max-runs N] [--time S] [--epochs N]
  evaluate <run>                     accuracy, per-class metrics and confusion on the test split
  export <run> [--format tfjs|teachable-machine|onnx|tflite] [--quantize none|float16|uint8|int8] [--out dir]
                      [--calibration N]   tflite int8: training images to calibrate on (default 300)
  predict <model-dir|run> <image|dir>... [--top K] [--csv file] [--heatmap [--out dir]]
                                     --heatmap: PNGs of where the model looked (CNN, ResNet, transfer), written
                                     to --out or a new folder in the workspace, never next to your images
  report <run> [--out file.html]     a self-contained HTML report: settings, curves, confusion matrix, diagnosis
  resume <run>                       continue a stopped or interrupted run from its last checkpoint (either engine)
  rename <run> <new name>            give a run a new display name (1–200 characters; also while it trains)
  serve [--port N]                   the lab in a browser on 127.0.0.1 (URL with access token)
  serve-model <run|export> [--port N] [--host addr --token T]
                                     a local HTTP prediction API (POST /v1/predict; /openapi.json);
                                     127.0.0.1 unless --host, which needs a token of ≥ 16 characters
  doctor                             which training backend runs, and why faster ones did not load
  backbones [fetch <id>]             the bundled backbone and well-known ones downloaded on demand (model.backbone
                                     "catalog:<id>"); fetch downloads one (Ctrl-C cancels; the next fetch resumes)

Options for every command:
  --json     one JSON event per line on stdout (progress, batch, epoch, result, error)
  --lang     en | zh-CN: the language of messages (default: from LANG; zh* → Simplified Chinese)
  --help     this text
Environment: LAB_HOME (workspace folder), LAB_BACKEND (force a backend), LAB_PYTHON (the python3 with PyTorch for --engine torch).
Exit codes: 0 success, 1 failure, 2 bad usage.`;

const OPTIONS: ParseArgsConfig['options'] = {
  json: { type: 'boolean' },
  lang: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  optimizer: { type: 'string' },
  size: { type: 'string' },
  channels: { type: 'string' },
  balance: { type: 'string' },
  engine: { type: 'string' },
  processes: { type: 'string' },
  device: { type: 'string' },
  launcher: { type: 'string' },
  'command-template': { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  quantize: { type: 'string' },
  calibration: { type: 'string' },
  host: { type: 'string' },
  top: { type: 'string' },
  csv: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  name: { type: 'string' },
  steps: { type: 'string' },
  resume: { type: 'string' },
  budgets: { type: 'string' },
  search: { type: 'string' },
  space: { type: 'string' },
  'max-runs': { type: 'string' },
  time: { type: 'string' },
  rerun: { type: 'boolean' },
  heatmap: { type: 'boolean' },
};

type Flags = Record<string, string | boolean | undefined>;

async function run(ctx: CliContext, command: string, positionals: string[], flags: Flags): Promise<void> {
  const s = flags as Record<string, string | undefined>;
  switch (command) {
    case 'demo':
      return demoCommand(ctx, s);
    case 'import':
      return importCommand(ctx, positionals, s);
    case 'train':
      return trainCommand(ctx, positionals, s);
    case 'tune':
      return tuneCommand(ctx, positionals, s);
    case 'evaluate':
      return evaluateCommand(ctx, positionals);
    case 'export':
      return exportCommand(ctx, positionals, s);
    case 'predict':
      return predictCommand(ctx, positionals, { ...s, heatmap: flags.heatmap === true });
    case 'report':
      return reportCommand(ctx, positionals, s);
    case 'rename':
      return renameCommand(ctx, positionals);
    case 'resume':
      return resumeCommand(ctx, positionals);
    case 'serve':
      return serveCommand(ctx, s);
    case 'serve-model':
      return serveModelCommand(ctx, positionals, s);
    case 'doctor':
      return doctorCommand(ctx);
    case 'backbones':
      return backbonesCommand(ctx, positionals);
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }) as { values: Flags; positionals: string[] };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const [command, ...positionals] = parsed.positionals;
  if (parsed.values.help || !command) {
    (command ? process.stdout : process.stderr).write(USAGE + '\n');
    return parsed.values.help ? 0 : 2;
  }
  const json = parsed.values.json === true;
  const env = process.env;
  const locale = resolveLocale(typeof parsed.values.lang === 'string' ? parsed.values.lang : env.LC_ALL || env.LC_MESSAGES || env.LANG);
  const out = json ? jsonReporter() : humanReporter(process.stderr, locale);
  let service: ReturnType<typeof createLabService> | null = null;
  try {
    service = createLabService({ ws: openWorkspace(), shell: 'cli', launcher: forkLauncher() });
    await run({ service, lab: localClient(service), out, json, locale }, command, positionals, parsed.values);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      out.close();
      process.stderr.write(`${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    out.emit({ type: 'error', error: toLabErrorData(err) });
    if (process.env.LAB_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  } finally {
    out.close();
    service?.dispose();
  }
}
