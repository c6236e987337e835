import { lambdaHandler } from '../wiring/lambda';

export const handler = lambdaHandler('getBulkSend');
