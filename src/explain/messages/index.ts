import { checkOneOf } from '../../util/checks.js';
import { en } from './en.js';
import type { Note } from '../notes.js';
import type { Messages } from './types.js';
import { zh } from './zh.js';

export type { Messages } from './types.js';

/** The languages explain's text and Markdown speak. */
export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

const TABLES: Record<Language, Messages> = { en, zh };

/** The message table of `lang` (default English). @throws GlassnetError `unknown-name` for another language. */
export function messagesFor(lang: Language = 'en', argument = 'lang'): Messages {
  return TABLES[checkOneOf(LANGUAGES, lang, argument)];
}

/** A note in the words of `m`. */
export function noteText(m: Messages, note: Note): string {
  // Each entry of `m.note` takes the note of its own kind; the lookup by kind pairs them.
  return (m.note[note.kind] as (n: Note) => string)(note);
}
