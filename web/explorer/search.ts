/**
 * The company search box, keyboard first: "/" focuses it; typing searches names and aliases
 * (`companies(where: { search })`, so "AWS" finds Amazon Web Services); Arrow keys move through
 * the results, Enter opens one, Escape closes the list.
 */
import { graphql } from './api';
import { SEARCH, type SearchHit } from './queries';

const DEBOUNCE_MS = 150;

export function setUpSearch(
  input: HTMLInputElement,
  list: HTMLUListElement,
  onPick: (hit: SearchHit) => void,
): void {
  let hits: SearchHit[] = [];
  let active = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: AbortController | undefined;

  const close = (): void => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };

  const render = (message?: string): void => {
    list.replaceChildren();
    if (message) {
      const li = document.createElement('li');
      li.className = 'message';
      li.textContent = message;
      list.append(li);
    }
    hits.forEach((hit, index) => {
      const li = document.createElement('li');
      li.id = `search-hit-${index}`;
      li.role = 'option';
      li.dataset.companyId = hit.id;
      li.setAttribute('aria-selected', String(index === active));
      const name = document.createElement('strong');
      name.textContent = hit.name;
      li.append(name);
      const extra = [
        hit.aliases.length ? `aka ${hit.aliases.join(', ')}` : '',
        hit.parent ? `part of ${hit.parent.name}` : '',
      ].filter(Boolean);
      if (extra.length) {
        const small = document.createElement('small');
        small.textContent = extra.join(' · ');
        li.append(small);
      }
      li.addEventListener('mousedown', (event) => {
        event.preventDefault();
        pick(index);
      });
      list.append(li);
    });
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    if (active >= 0) input.setAttribute('aria-activedescendant', `search-hit-${active}`);
  };

  const pick = (index: number): void => {
    const hit = hits[index];
    if (!hit) return;
    close();
    input.value = '';
    input.blur();
    onPick(hit);
  };

  const search = async (text: string): Promise<void> => {
    pending?.abort();
    pending = new AbortController();
    try {
      const data = await graphql<{ companies: { edges: { node: SearchHit }[] } }>(
        SEARCH,
        { search: text },
        pending.signal,
      );
      hits = data.companies.edges.map((edge) => edge.node);
      active = hits.length ? 0 : -1;
      render(hits.length ? undefined : `No company matches “${text}”.`);
    } catch (error) {
      if (pending.signal.aborted) return;
      hits = [];
      render(error instanceof Error ? error.message : String(error));
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (!text) {
      hits = [];
      close();
      return;
    }
    timer = setTimeout(() => void search(text), DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!hits.length) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      active = (active + step + hits.length) % hits.length;
      render();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      pick(Math.max(active, 0));
    } else if (event.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement | null;
    const typing = target?.closest('input, select, textarea, [contenteditable="true"]');
    if (event.key === '/' && !typing) {
      event.preventDefault();
      input.focus();
    }
  });
}
