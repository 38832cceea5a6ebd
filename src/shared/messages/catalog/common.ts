import { defineMessages } from '../define';

/** Pieces shared by several areas. */
export const commonMessages = defineMessages(
  {
    /** An English sentence from a file written before messages existed: shown as is. */
    'common.verbatim': '{text}',
    /** Several sentences in a row. */
    'common.sentences': '{items:sentences}',
    'common.none': 'none',
    'common.yes': 'yes',
    'common.no': 'no',
  },
  {
    'common.verbatim': '{text}',
    'common.sentences': '{items:sentences}',
    'common.none': '无',
    'common.yes': '是',
    'common.no': '否',
  },
);
