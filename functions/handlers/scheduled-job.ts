import { scheduledJobHandler } from '../wiring/lambda';

export const handler = scheduledJobHandler();
