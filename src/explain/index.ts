/**
 * glassnet/explain: one training step, traced and written out as the
 * article does it — every NET and OUT, the errors, each chain-rule factor,
 * the gradients and the update — as text, Markdown with LaTeX, or JSON.
 * It exports the calls and the types of what they return; the tracing and
 * derivation underneath stay in their modules.
 */
export { explainStep, type Explanation, type ExplainOptions } from './explain.js';
export { DETAIL_LIMITS, type Detail } from './detail.js';
export { type DerivationStep, type Section, type Sym, type Expr, type Factor, type ArticleValue } from './derivation.js';
export { type Summary, type LayerSummary, type Tables, type PerSample } from './tables.js';
export { namesFor, type Names, type NamingScheme, type UserNames } from './naming.js';
export { type TrainingTrace, type LayerRecord, type LossRecord, type BiasRecord, type RecordOptions, type Rows } from './trace.js';
export { renderText, renderTextSummaryLine, formatNumber, exprText, symText, type RenderOptions, type TextOptions, type TextStyle, type Paint } from './render-text.js';
export { renderMarkdown, exprLatex, symLatex } from './render-markdown.js';
export { toJSON, type ExplanationJSON, type DerivationStepJSON, type FactorJSON } from './render-json.js';
export { LANGUAGES, messagesFor, noteText, type Language, type Messages } from './messages/index.js';
export { type Note, type NoteKind } from './notes.js';
