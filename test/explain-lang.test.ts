// explain in the article's language: the same step rendered in English and
// Chinese has exactly the same numbers, in the same order; only the words
// around them change, and the Chinese ones are the article's terms.
import { describe, expect, it } from 'vitest';
import { ARTICLE, articleNetwork } from '../src/index.js';
import { ARTICLE_SLIPS } from '../src/data/article.js';
import { LANGUAGES, explainStep, messagesFor, noteText, renderMarkdown, renderText, toJSON } from '../src/explain/index.js';
import { glassnet } from './helpers/cli.js';

const step = () => explainStep(articleNetwork(), [ARTICLE.inputs], [ARTICLE.targets], { lr: ARTICLE.learningRate });
const numbers = (text: string) => text.match(/\d+(?:\.\d+)?(?:e[-+]?\d+)?/g) ?? [];

describe('explain in English and Chinese', () => {
  it('renders the article\'s step with identical numbers in both languages', () => {
    const expl = step();
    for (const render of [renderText, renderMarkdown]) {
      const en = render(expl, { lang: 'en' });
      const zh = render(expl, { lang: 'zh' });
      expect(en).toBe(render(expl)); // English is the default
      expect(zh).not.toBe(en);
      expect(numbers(zh)).toEqual(numbers(en));
      expect(numbers(en)).toContain('0.602286177');
      for (const term of ['前向传播', '总误差', '反向传播', '权值更新', '激活函数', '权重', '截距']) expect(zh).toContain(term);
    }
    expect(renderText(expl, { lang: 'zh' })).toContain('输入层: i1 = 0.02, i2 = 0.04');
  });

  it('words the notes, the article\'s slips among them, in each language, in text, Markdown and JSON', () => {
    const expl = step();
    const zh = messagesFor('zh');
    for (const text of [renderMarkdown(expl, { lang: 'zh' }), toJSON(expl, { lang: 'zh' }).notes.join('\n')]) {
      for (const slip of ARTICLE_SLIPS) expect(text).toContain(zh.slips[slip]);
      expect(text).toContain('b1 是固定的');
      expect(text).not.toMatch(/The article prints|is fixed|Every value/);
    }
    expect(toJSON(expl).notes).toEqual(expl.notes.map((note) => noteText(messagesFor('en'), note)));
  });

  it('has a complete table for every language, and refuses an unknown one', () => {
    // Every entry, nested ones included (the notes' and slips' words): a table typed loosely would miss one.
    const paths = (table: object, prefix = ''): string[] => Object.entries(table).flatMap(([key, value]) =>
      (typeof value === 'object' && value !== null && !Array.isArray(value) ? paths(value as object, `${prefix}${key}.`) : [`${prefix}${key}`])).sort();
    const keys = paths(messagesFor('en'));
    expect(keys).toContain('note.articleDiffers');
    expect(keys).toContain('slips.halvedTwice');
    for (const lang of LANGUAGES) expect(paths(messagesFor(lang))).toEqual(keys);
    for (const lang of LANGUAGES) for (const [kind, word] of Object.entries(messagesFor(lang).note)) expect(typeof word, `${lang} note ${kind}`).toBe('function');
    expect(() => messagesFor('fr' as never)).toThrow(/lang/);
  });

  it('glassnet explain --lang zh prints the Chinese rendering', () => {
    const zh = glassnet('explain', '--lang', 'zh', '--no-color');
    expect(zh.status, zh.stderr).toBe(0);
    expect(zh.stdout.trimEnd()).toBe(renderText(step(), { lang: 'zh' }));
    const bad = glassnet('explain', '--lang', 'fr');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--lang/);
  });
});
