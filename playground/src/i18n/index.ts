/**
 * The interface's languages: one table per language of explain's list, so
 * adding a language to explain makes the compiler ask for its table here.
 */
import type { Language } from 'glassnet/explain';
import { en, type UiText } from './en.js';
import { zh } from './zh.js';

export type { Origin, RunFacts, UiText } from './en.js';

export const UI: Record<Language, UiText> = { en, zh };

let current: Language = 'en';

/** The words of the language the page shows now. */
export function ui(): UiText {
  return UI[current];
}

/** The language the page shows now (explain's tables are picked by it). */
export function language(): Language {
  return current;
}

/** Switches the words `ui()` gives; the caller redraws what shows them. */
export function useLanguage(lang: Language): void {
  current = lang;
}
