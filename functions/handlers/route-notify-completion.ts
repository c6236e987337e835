import { routeTaskHandler } from '../wiring/lambda';

export const handler = routeTaskHandler('NotifyCompletion');
