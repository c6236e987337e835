import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ContractEvent } from '../../core/contracts/contract';
import type { ContractStore, ContractSummary } from '../../core/contracts/records';
import { DynamoEventLog } from './event-log-store';
import { contractListPk, contractPk } from './keys';

/** Contract events, and a list entry per contract (pk T#tenant#CONTRACTS, sk the contract id). */
export class DynamoContractStore
  extends DynamoEventLog<ContractEvent, ContractSummary>
  implements ContractStore
{
  constructor(db: DynamoDBDocumentClient, table: string) {
    super(db, table, { noun: 'contract', pk: contractPk, listPk: contractListPk, idOf: (e) => e.contractId });
  }
}
