import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TemplateEvent, TemplateStore, TemplateSummary } from '../../core/templates/template';
import { DynamoEventLog } from './event-log-store';
import { templateListPk, templatePk } from './keys';

/** Template events, and a list entry per template (pk T#tenant#TEMPLATES, sk the template id). */
export class DynamoTemplateStore
  extends DynamoEventLog<TemplateEvent, TemplateSummary>
  implements TemplateStore
{
  constructor(db: DynamoDBDocumentClient, table: string) {
    super(db, table, { noun: 'template', pk: templatePk, listPk: templateListPk, idOf: (e) => e.templateId });
  }
}
