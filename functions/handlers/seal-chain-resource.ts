import { makeSealChainResource } from '../wiring/seal-chain-resource';

export const handler = makeSealChainResource();
