// What a benchmark section is: bench/index.ts runs every bench/sections/*.ts that exports `section`.

export interface BenchArgs {
  json: boolean;
  e2e: boolean;
  only: string[] | null;
  /** Free-form flags (`--steps 20` → steps: '20', `--profile` → profile: 'true'). */
  flags: Record<string, string>;
}

export interface BenchContext {
  args: BenchArgs;
  /** ../shared/peers (or LAB_PEERS), null when absent. */
  peersDir: string | null;
  /** A human line; goes to stderr under --json so stdout stays machine-readable. */
  log(line: string): void;
}

export type Row = Record<string, string | number | null>;

export interface SectionResult {
  rows: Row[];
  /** Anything JSON-serialisable the section wants in the --json output. */
  json: unknown;
}

export interface BenchSection {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<SectionResult>;
}
