/**
 * Names for every input, unit and parameter of a network, so that an
 * explanation reads like the article: i1, h1, o1, w1..w8, b1, b2 for its
 * 2-2-2 shape, a systematic scheme for any other shape, and user names on
 * top of either. docs/explain.md documents the scheme.
 */
import { GlassnetError, describeValue } from '../errors.js';
import { Dense, type Layer } from '../nn/layers.js';
import type { Sequential } from '../nn/model.js';
import { range } from '../util/range.js';

/** Which scheme produced the default names. */
export type NamingScheme = 'article' | 'systematic';

/** Names of everything an explanation talks about, indexed like the model. */
export interface Names {
  readonly scheme: NamingScheme;
  /** One per input feature. */
  readonly inputs: readonly string[];
  /** `units[k][j]`: unit j of layer k (0-based); the last layer's units are the outputs. */
  readonly units: readonly (readonly string[])[];
  /** `weights[k][j][i]`: the weight from input i of layer k into its unit j. */
  readonly weights: readonly (readonly (readonly string[])[])[];
  /** `biases[k]`: one name for a shared bias, one per unit otherwise, null without a bias. */
  readonly biases: readonly (readonly string[] | null)[];
}

/** Names a user may give: default name → new name, e.g. `{ i1: "x", o1: "cat" }`. */
export type UserNames = Readonly<Record<string, string>>;

// A name must survive `--only a,b` and read as one token in text and LaTeX.
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.']*$/;

/** The Dense layers of `model`, or a GlassnetError naming the first layer explain cannot read. */
export function denseLayers(model: Sequential): Dense[] {
  return model.layers.map((layer: Layer, k: number) => {
    if (layer instanceof Dense) return layer;
    throw new GlassnetError({ code: 'type', argument: `model.layers[${k}]`, expected: 'a Dense layer (explain reads Dense layers only)', found: describeValue(layer) });
  });
}

/**
 * Names for `model`. The article's names when the model has its 2-2-2
 * shape, the systematic scheme otherwise; `userNames` then renames
 * individual entries.
 * @throws GlassnetError for an unknown key, a malformed or duplicate name.
 */
export function namesFor(model: Sequential, userNames: UserNames = {}): Names {
  const layers = denseLayers(model);
  const sizes = [layers[0]!.inputSize, ...layers.map((l) => l.outputSize)];
  const article = sizes.length === 3 && sizes.every((s) => s === 2);
  const hiddenLayers = layers.length - 1;
  const inputs = range(sizes[0]!).map((i) => `i${i + 1}`);
  const units = layers.map((layer, k) => range(layer.outputSize).map((j) => {
    if (k === layers.length - 1) return `o${j + 1}`;
    return hiddenLayers === 1 ? `h${j + 1}` : `h${k + 1}.${j + 1}`;
  }));
  let counter = 0;
  const weights = layers.map((layer, k) => range(layer.outputSize).map((j) => range(layer.inputSize).map((i) => {
    counter++;
    return article ? `w${counter}` : `w${k + 1}.${j + 1}.${i + 1}`;
  })));
  const biases = layers.map((layer, k) => {
    if (layer.bias === null) return null;
    return layer.bias.size === 1 && layer.outputSize > 1 ? [`b${k + 1}`] : range(layer.bias.size).map((j) => `b${k + 1}.${j + 1}`);
  });
  const names: Names = { scheme: article ? 'article' : 'systematic', inputs, units, weights, biases };
  return rename(names, userNames);
}

/** Every name in reading order: inputs, then per layer its units, weights and biases. */
export function allNames(names: Names): string[] {
  return [
    ...names.inputs,
    ...names.units.flatMap((units, k) => [...units, ...names.weights[k]!.flat(), ...(names.biases[k] ?? [])]),
  ];
}

function rename(names: Names, userNames: UserNames): Names {
  const entries = Object.entries(userNames);
  if (entries.length === 0) return names;
  const known = new Set(allNames(names));
  for (const [from, to] of entries) {
    if (!known.has(from)) {
      throw new GlassnetError({ code: 'unknown-name', argument: `names.${from}`, expected: 'a name of this network (e.g. i1, h1, o1, w1)', found: describeValue(from) });
    }
    if (typeof to !== 'string' || !NAME_PATTERN.test(to)) {
      throw new GlassnetError({
        code: 'range', argument: `names.${from}`, expected: 'a letter then letters, digits, "_", "." or "\'"', found: describeValue(to),
      });
    }
  }
  const map = (name: string): string => userNames[name] ?? name;
  const renamed: Names = {
    scheme: names.scheme,
    inputs: names.inputs.map(map),
    units: names.units.map((u) => u.map(map)),
    weights: names.weights.map((w) => w.map((row) => row.map(map))),
    biases: names.biases.map((b) => (b === null ? null : b.map(map))),
  };
  const seen = new Set<string>();
  for (const name of allNames(renamed)) {
    if (seen.has(name)) {
      throw new GlassnetError({ code: 'range', argument: 'names', expected: 'names that are unique in the network', found: `${describeValue(name)} twice` });
    }
    seen.add(name);
  }
  return renamed;
}
