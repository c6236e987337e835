import { lambdaAuthorizer } from '../wiring/lambda';

export const handler = lambdaAuthorizer();
