import { messages as tuning } from '../components/tuning/messages';
import { messages as augment } from '../components/augment/messages';
import { messages as playground } from '../playground/messages';
import { messages as exportDialog } from '../components/export/messages';
import { messages as dashboard } from '../components/dashboard/messages';
import { messages as compare } from '../components/compare/messages';
import { messages as capture } from '../components/capture/messages';
import { messages as live } from '../components/live/messages';
import { messages as trainEngine } from '../components/engine-choice/messages';

/**
 * The per-feature message modules merged into the global catalogs (see ./index.ts). Each owns its top-level
 * namespaces (tune, aug, pg/cl, exportDialog…); i18n.test.ts checks that no two share one.
 */
export const features = [tuning, augment, playground, exportDialog, dashboard, compare, capture, live, trainEngine] as const;
