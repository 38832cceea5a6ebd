import { defineMessages } from '../define';

/** LabError texts (prefix `error.`): what went wrong, with the path or field, and what to do. */
export const errorMessages = defineMessages(
  {
    'error.unexpected': "Unexpected error: {detail}. Please report it with the run's log.",
    'error.invalid': 'Invalid {what}: {issues}.',
    'error.unknownCall': 'Unknown call "{name}".',
  },
  {
    'error.unexpected': '意外错误：{detail}。请连同该训练的日志一起报告。',
    'error.invalid': '{what} 无效：{issues}。',
    'error.unknownCall': '未知的调用“{name}”。',
  },
);
