/**
 * The "paste an article" panel: a news text goes through `extractDeals`; its drafts are listed
 * with their evidence marked in the text, can be edited, and the selected ones are recorded with
 * `recordDrafts` (token needed; it is kept in sessionStorage only). The page writes user text only
 * as text nodes, never as markup.
 */
import { ApiFailure, graphql } from './api';
import { label, usd } from './format';
import { EXTRACT, RECORD_DRAFTS, type DealDraft, type RecordedDeal } from './queries';

const TOKEN_KEY = 'explorer.adminToken';
const STATUSES = [
  'TALKS',
  'ANNOUNCED',
  'LETTER_OF_INTENT',
  'DEFINITIVE_AGREEMENT',
  'IN_PROGRESS',
  'COMPLETED',
  'CANCELLED',
];
const KINDS = ['CLOUD', 'HARDWARE', 'CAPACITY'];

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className) element.className = className;
  return element;
}

function field(labelText: string, control: HTMLElement, className = ''): HTMLLabelElement {
  const wrap = el('label', undefined, className);
  wrap.append(el('span', labelText), control);
  return wrap;
}

function input(name: string, value: string, type = 'text'): HTMLInputElement {
  const element = el('input');
  element.name = name;
  element.type = type;
  element.value = value;
  return element;
}

function select(name: string, options: string[], value: string | null): HTMLSelectElement {
  const element = el('select');
  element.name = name;
  for (const option of options) {
    const item = el('option', label(option));
    item.value = option;
    element.append(item);
  }
  element.value = value ?? options[0]!;
  return element;
}

function checkbox(name: string, checked: boolean): HTMLInputElement {
  const element = input(name, '', 'checkbox');
  element.checked = checked;
  return element;
}

function partyText(party: DealDraft['from']): string {
  return party.company ? party.company.name : `new: ${party.suggestedId ?? party.name}`;
}

/** "up to $10B", "unknown", "10 GW". */
function amountText(draft: DealDraft): string {
  const amount =
    draft.amountUsd === null
      ? 'amount unknown'
      : `${draft.amountIsUpperBound ? 'up to ' : ''}${usd(draft.amountUsd)}`;
  return draft.quantity ? `${amount} (${draft.quantity.value} ${draft.quantity.unit})` : amount;
}

/**
 * The text with every draft's evidence in a <mark> (data-drafts: the draft numbers it backs).
 * Offsets are UTF-16 code units, as String.prototype.slice counts them.
 */
export function markEvidence(target: HTMLElement, text: string, drafts: DealDraft[]): void {
  const cuts = new Set([0, text.length]);
  for (const { evidence } of drafts) {
    cuts.add(Math.max(0, Math.min(text.length, evidence.start)));
    cuts.add(Math.max(0, Math.min(text.length, evidence.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const nodes: Node[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i]!, points[i + 1]!];
    const piece = text.slice(start, end);
    const backing = drafts
      .map((draft, n) => (draft.evidence.start <= start && end <= draft.evidence.end ? n : -1))
      .filter((n) => n >= 0);
    if (backing.length === 0) {
      nodes.push(document.createTextNode(piece));
      continue;
    }
    const mark = el('mark', piece);
    mark.dataset.drafts = backing.join(' ');
    mark.title = `Evidence of draft ${backing.map((n) => n + 1).join(', ')}`;
    nodes.push(mark);
  }
  target.replaceChildren(...nodes);
}

interface DraftRow {
  draft: DealDraft;
  element: HTMLLIElement;
}

export class ArticlePanel {
  private readonly form: HTMLFormElement;
  private readonly textArea: HTMLTextAreaElement;
  private readonly marked: HTMLDivElement;
  private readonly list: HTMLOListElement;
  private readonly status: HTMLParagraphElement;
  private readonly result: HTMLDivElement;
  private readonly tokenInput: HTMLInputElement;
  private readonly recordButton: HTMLButtonElement;
  private rows: DraftRow[] = [];
  /** The text and source the drafts were extracted from (the textarea may change since). */
  private extracted: { text: string; source: Record<string, string> | null } | null = null;
  private extracting: AbortController | undefined;

  constructor(
    private readonly panel: HTMLElement,
    private readonly onRecorded: (deals: RecordedDeal[]) => void,
  ) {
    const $ = <T extends HTMLElement>(selector: string): T => panel.querySelector<T>(selector)!;
    this.form = $('#article-form');
    this.textArea = $('#article-text');
    this.marked = $('#article-marked');
    this.list = $('#draft-list');
    this.status = $('#drafts-status');
    this.result = $('#record-result');
    this.tokenInput = $('#admin-token');
    this.recordButton = $('#record-drafts');
    this.tokenInput.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
    this.tokenInput.addEventListener('input', () => {
      const token = this.tokenInput.value.trim();
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.extract();
    });
    this.textArea.addEventListener('input', () => {
      if (!this.extracted || this.textArea.value === this.extracted.text) return;
      this.status.className = 'note stale';
      this.status.textContent =
        'The text has changed since these drafts were read: press Extract again to update them.';
    });
    this.recordButton.addEventListener('click', () => void this.record());
    this.list.addEventListener('mouseover', (event) => this.focusDraft(event.target));
    this.list.addEventListener('focusin', (event) => this.focusDraft(event.target));
  }

  show(open: boolean): void {
    this.panel.hidden = !open;
    if (open && !this.textArea.value) this.textArea.focus();
  }

  private source(): Record<string, string> | null {
    const data = new FormData(this.form);
    const value = (name: string): string => String(data.get(name) ?? '').trim();
    const publisher = value('publisher');
    const title = value('title');
    const url = value('url');
    const publishedOn = value('publishedOn');
    if (!publisher && !title && !url && !publishedOn) return null;
    return {
      publisher: publisher || 'Pasted article',
      ...(title ? { title } : {}),
      ...(url ? { url } : {}),
      ...(publishedOn ? { publishedOn } : {}),
    };
  }

  private async extract(): Promise<void> {
    this.extracting?.abort();
    const controller = new AbortController();
    this.extracting = controller;
    const text = this.textArea.value;
    const source = this.source();
    this.status.className = 'note';
    this.status.textContent = 'Reading the text…';
    this.result.replaceChildren();
    try {
      const data = await graphql<{ extractDeals: { drafts: DealDraft[] } }>(
        EXTRACT,
        { text, ...(source ? { source } : {}) },
        controller.signal,
      );
      if (controller.signal.aborted) return;
      this.extracted = { text, source };
      this.render(data.extractDeals.drafts);
    } catch (error) {
      if (controller.signal.aborted) return;
      this.status.className = 'error';
      this.status.textContent =
        error instanceof ApiFailure
          ? `The text could not be read: ${error.message}${error.code ? ` (${error.code})` : ''}`
          : `The text could not be read: ${String(error)}`;
    }
  }

  private render(drafts: DealDraft[]): void {
    const text = this.extracted?.text ?? '';
    this.rows = drafts.map((draft, n) => ({ draft, element: this.draftItem(draft, n) }));
    this.list.replaceChildren(...this.rows.map((row) => row.element));
    markEvidence(this.marked, text, drafts);
    this.marked.hidden = drafts.length === 0;
    this.status.className = 'note';
    this.status.textContent =
      drafts.length === 0
        ? 'No deal between two companies found in this text.'
        : `${drafts.length} draft${drafts.length === 1 ? '' : 's'}. Check each against its evidence (marked in the text), edit, then record the selected ones.`;
    this.panel.querySelector<HTMLElement>('#record-box')!.hidden = drafts.length === 0;
  }

  private draftItem(draft: DealDraft, n: number): HTMLLIElement {
    const li = el('li', undefined, 'draft');
    li.dataset.draft = String(n);
    li.dataset.type = draft.type;
    li.tabIndex = -1;

    const head = el('p', undefined, 'draft-head');
    head.append(
      el('strong', `${partyText(draft.from)} → ${partyText(draft.to)}`, 'parties'),
      ' · ',
      el(
        'span',
        draft.type === 'INVESTMENT'
          ? 'Investment'
          : `${label(draft.commitmentKind ?? 'commitment')} commitment`,
        'type',
      ),
      ' · ',
      el('span', amountText(draft), 'amount'),
    );
    const facts = el(
      'p',
      `${label(draft.status ?? 'ANNOUNCED')} · ${draft.announcedOn ?? 'undated'} · confidence ${draft.confidence.toFixed(2)}`,
      'facts',
    );
    li.append(head, facts);
    const quote = el('blockquote', draft.evidence.sentence, 'evidence');
    li.append(quote);
    if (draft.problems.length) {
      const problems = el('ul', undefined, 'problems');
      for (const problem of draft.problems) problems.append(el('li', problem));
      li.append(problems);
    }

    // The edits: what recordDrafts will be sent.
    const edits = el('div', undefined, 'draft-edits');
    const include = checkbox('include', draft.existing.length === 0);
    edits.append(field('Record it', include, 'check include'));
    if (draft.existing.length) {
      li.classList.add('has-existing');
      const existing = el('p', undefined, 'existing');
      existing.append(
        el('strong', 'Already recorded? '),
        draft.existing
          .map(
            (deal) =>
              `${deal.id} (${deal.amountUsd === null ? 'amount unknown' : `${deal.amountIsUpperBound ? 'up to ' : ''}${usd(deal.amountUsd)}`}, ${deal.announcedOn ?? 'undated'})`,
          )
          .join('; '),
      );
      li.append(existing);
      const as = select('recordAs', ['', ...draft.existing.map((deal) => deal.id)], '');
      as.options[0]!.textContent = 'a new deal';
      for (const option of [...as.options].slice(1)) {
        option.textContent = `confirm ${option.value}`;
      }
      edits.append(field('Record as', as));
    }
    const partyId = (party: DealDraft['from']): string =>
      party.company?.id ?? party.suggestedId ?? '';
    edits.append(
      field('From (id)', input('fromId', partyId(draft.from))),
      field('To (id)', input('toId', partyId(draft.to))),
      field(
        'Amount (USD)',
        Object.assign(
          input('amountUsd', draft.amountUsd === null ? '' : String(draft.amountUsd), 'number'),
          { placeholder: 'unknown', min: '0', step: 'any' },
        ),
      ),
      field('up to', checkbox('amountIsUpperBound', draft.amountIsUpperBound), 'check'),
      field('Status', select('status', STATUSES, draft.status ?? 'ANNOUNCED')),
    );
    if (draft.type === 'COMMITMENT') {
      edits.append(field('Kind', select('commitmentKind', KINDS, draft.commitmentKind)));
    }
    edits.append(
      field(
        'Date',
        Object.assign(input('announcedOn', draft.announcedOn ?? ''), {
          placeholder: 'YYYY-MM-DD',
        }),
      ),
    );
    li.append(edits);
    return li;
  }

  /** Hovering or editing a draft marks its evidence more strongly. */
  private focusDraft(target: EventTarget | null): void {
    const item = target instanceof Element ? target.closest<HTMLElement>('li.draft') : null;
    if (!item) return;
    const n = item.dataset.draft!;
    for (const mark of this.marked.querySelectorAll<HTMLElement>('mark')) {
      mark.classList.toggle('active', (mark.dataset.drafts ?? '').split(' ').includes(n));
    }
  }

  /** DealDraftInput for each selected draft, as the reviewer left it. */
  private inputs(): { n: number; input: Record<string, unknown> }[] {
    const source = this.extracted?.source ?? this.source();
    const chosen: { n: number; input: Record<string, unknown> }[] = [];
    this.rows.forEach(({ draft, element }, n) => {
      const get = <T extends HTMLInputElement | HTMLSelectElement>(name: string): T | null =>
        element.querySelector<T>(`[name="${name}"]`);
      if (!get<HTMLInputElement>('include')!.checked) return;
      const party = (id: string, original: DealDraft['from']): Record<string, string> =>
        original.company?.id === id || !original.suggestedId ? { id } : { id, name: original.name };
      const amount = get<HTMLInputElement>('amountUsd')!.value.trim();
      const date = get<HTMLInputElement>('announcedOn')!.value.trim();
      const recordAs = get<HTMLSelectElement>('recordAs')?.value;
      const kind = get<HTMLSelectElement>('commitmentKind')?.value;
      chosen.push({
        n,
        input: {
          ...(recordAs ? { id: recordAs } : {}),
          type: draft.type,
          from: party(get<HTMLInputElement>('fromId')!.value.trim(), draft.from),
          to: party(get<HTMLInputElement>('toId')!.value.trim(), draft.to),
          amountUsd: amount === '' ? null : Number(amount),
          amountIsUpperBound: get<HTMLInputElement>('amountIsUpperBound')!.checked,
          ...(draft.quantity ? { quantity: draft.quantity } : {}),
          ...(kind ? { commitmentKind: kind } : {}),
          status: get<HTMLSelectElement>('status')!.value,
          ...(date ? { announcedOn: date } : {}),
          sources: [source ?? { publisher: 'Pasted article' }],
        },
      });
    });
    return chosen;
  }

  private async record(): Promise<void> {
    const chosen = this.inputs();
    this.result.className = '';
    if (chosen.length === 0) {
      this.result.className = 'error';
      this.result.replaceChildren(el('p', 'Select at least one draft to record.'));
      return;
    }
    this.recordButton.disabled = true;
    this.result.replaceChildren(el('p', 'Recording…', 'note'));
    for (const row of this.rows) row.element.classList.remove('refused');
    try {
      const data = await graphql<{ recordDrafts: RecordedDeal[] }>(
        RECORD_DRAFTS,
        { input: chosen.map((c) => c.input) },
        undefined,
        this.tokenInput.value.trim() || undefined,
      );
      const list = el('ul', undefined, 'recorded');
      for (const deal of data.recordDrafts) {
        const item = el('li');
        item.dataset.dealId = deal.id;
        item.append(el('code', deal.id), ` ${deal.from.name} → ${deal.to.name}`);
        list.append(item);
      }
      this.result.className = 'ok';
      this.result.replaceChildren(el('p', `Recorded ${data.recordDrafts.length} deal(s):`), list);
      this.onRecorded(data.recordDrafts);
    } catch (error) {
      this.result.className = 'error';
      if (!(error instanceof ApiFailure)) {
        this.result.replaceChildren(el('p', `Nothing was recorded: ${String(error)}`));
        return;
      }
      const message = el('p', `Nothing was recorded: ${error.message}`);
      if (error.code) message.append(' ', el('code', error.code));
      const nodes: Node[] = [message];
      if (error.code === 'UNAUTHENTICATED') {
        nodes.push(el('p', 'Recording needs the admin token: give it above.', 'note'));
      }
      if (error.problems.length) {
        const problems = el('ul', undefined, 'problems');
        for (const problem of error.problems) {
          // `input[1].from.id` is the second draft sent: name it as the list numbers it.
          const index = /^input\[(\d+)\]/.exec(problem.field)?.[1];
          const draft = index === undefined ? undefined : chosen[Number(index)];
          if (draft) this.rows[draft.n]?.element.classList.add('refused');
          const where = draft ? `draft ${draft.n + 1}: ` : '';
          problems.append(el('li', `${where}${problem.field}: ${problem.message}`));
        }
        nodes.push(problems);
      }
      this.result.replaceChildren(...nodes);
    } finally {
      this.recordButton.disabled = false;
    }
  }
}
