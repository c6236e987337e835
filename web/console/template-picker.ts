/**
 * The first card of the pages that send from a template (one envelope, or in bulk): the template
 * and its approved version, preselected from the route's `?template=&version=` and written back
 * there, so that a reload or a shared link opens the same one.
 */

import { dictionary } from './i18n';
import type { PageContext } from './pages/registry';
import type { Template, TemplateSummary } from './pages/template-types';
import { errorBox, field, h, on, uid } from './ui';

const t = dictionary(
  {
    pick: 'Template',
    template: 'Template',
    version: 'Version',
    versionLabel: (p) => `Version ${p.v}${p.latest ? ' (newest approved)' : ''}`,
    noTemplates: 'There is no approved template yet.',
    choose: 'Choose a template',
    loadingTemplate: 'Reading the template…',
  },
  {
    pick: 'Plantilla',
    template: 'Plantilla',
    version: 'Versión',
    versionLabel: (p) => `Versión ${p.v}${p.latest ? ' (la aprobada más reciente)' : ''}`,
    noTemplates: 'Aún no hay ninguna plantilla aprobada.',
    choose: 'Elija una plantilla',
    loadingTemplate: 'Leyendo la plantilla…',
  },
);

export class TemplatePicker {
  readonly element: HTMLElement;
  private readonly templateSelect = h('select', { id: 'template-select' });
  private readonly versionSelect = h('select', { id: 'version-select' });
  private readonly status = h('div');
  private templates: TemplateSummary[] = [];

  /**
   * `route` is the page's own route (`/send/template`); `onTemplate` is called with each version
   * chosen, `onClear` when none is.
   */
  constructor(
    private readonly ctx: Pick<PageContext, 'api' | 'signal' | 'query'>,
    private readonly route: string,
    private readonly onTemplate: (template: Template) => void,
    private readonly onClear: () => void,
  ) {
    const heading = uid('pick');
    this.element = h(
      'section',
      { class: 'card', 'aria-labelledby': heading },
      h('h2', { id: heading }, t('pick')),
      h(
        'div',
        { class: 'grid wide' },
        field(t('template'), this.templateSelect),
        field(t('version'), this.versionSelect),
      ),
      this.status,
    );
  }

  /** Lists the templates with an approved version; false when there is none to pick. */
  async start(): Promise<boolean> {
    const { api, signal, query } = this.ctx;
    try {
      let cursor: string | undefined;
      const all: TemplateSummary[] = [];
      do {
        const page = await api.get<{ items: TemplateSummary[]; nextCursor?: string }>(
          '/v1/templates',
          { limit: 100, cursor },
          { signal },
        );
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && all.length < 500);
      this.templates = all.filter((x) => !x.archived && x.approvedVersion !== undefined);
    } catch (err) {
      this.status.replaceChildren(errorBox(err));
      return false;
    }
    if (!this.templates.length) {
      this.element.append(h('p', { class: 'notice info' }, t('noTemplates')));
      this.templateSelect.disabled = true;
      this.versionSelect.disabled = true;
      return false;
    }
    this.templateSelect.replaceChildren(
      h('option', { value: '' }, t('choose')),
      ...this.templates.map((x) => h('option', { value: x.templateId }, x.name)),
    );
    this.versionSelect.disabled = true;
    on(this.templateSelect, 'change', () => void this.chooseTemplate());
    on(this.versionSelect, 'change', () => void this.loadVersion(Number(this.versionSelect.value)));
    const wanted = query.get('template');
    if (wanted && this.templates.some((x) => x.templateId === wanted)) {
      this.templateSelect.value = wanted;
      await this.chooseTemplate(Number(query.get('version')) || undefined);
    }
    return true;
  }

  private async chooseTemplate(version?: number): Promise<void> {
    const summary = this.templates.find((x) => x.templateId === this.templateSelect.value);
    this.onClear();
    this.versionSelect.replaceChildren();
    this.versionSelect.disabled = true;
    if (!summary?.approvedVersion) return;
    this.status.replaceChildren(h('p', { role: 'status', class: 'loading' }, t('loadingTemplate')));
    // Approved versions: each version's status, newest first (at most the last 20).
    const numbers = Array.from(
      { length: Math.min(20, summary.latestVersion) },
      (_, i) => summary.latestVersion - i,
    );
    const approved: number[] = [];
    await Promise.all(
      numbers.map(async (v) => {
        if (v === summary.approvedVersion) return approved.push(v);
        try {
          const at = await this.ctx.api.get<Template>(
            `/v1/templates/${encodeURIComponent(summary.templateId)}`,
            { version: v },
            { signal: this.ctx.signal },
          );
          if (at.status === 'approved') approved.push(v);
        } catch {
          // A version that cannot be read is not offered.
        }
        return undefined;
      }),
    );
    approved.sort((a, b) => b - a);
    this.versionSelect.replaceChildren(
      ...approved.map((v) =>
        h(
          'option',
          { value: String(v) },
          t('versionLabel', { v, latest: v === summary.approvedVersion ? 1 : '' }),
        ),
      ),
    );
    this.versionSelect.disabled = approved.length < 2;
    this.versionSelect.value = String(
      version && approved.includes(version) ? version : summary.approvedVersion,
    );
    await this.loadVersion(Number(this.versionSelect.value));
  }

  private async loadVersion(version: number): Promise<void> {
    const tid = this.templateSelect.value;
    this.status.replaceChildren();
    let template: Template;
    try {
      template = await this.ctx.api.get<Template>(
        `/v1/templates/${encodeURIComponent(tid)}`,
        { version },
        { signal: this.ctx.signal },
      );
    } catch (err) {
      if (!this.ctx.signal.aborted) this.status.replaceChildren(errorBox(err));
      return;
    }
    history.replaceState(
      history.state,
      '',
      `#${this.route}?template=${encodeURIComponent(tid)}&version=${version}`,
    );
    this.onTemplate(template);
  }
}
