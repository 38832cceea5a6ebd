import { ensureShapesDataset } from './fixtures';

export default async function globalSetup(): Promise<void> {
  await ensureShapesDataset();
}
