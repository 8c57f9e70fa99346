// The public surface, name by name: each entry point's runtime exports (read
// from the built package, as users import it) and its type-only exports
// (read by the compiler from the sources) against the lists below. A name
// added to or removed from an entry point fails this test until the list
// says so, so the surface grows by deliberate diffs. Internals that tests
// need are imported from their modules under src/, never added here.
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { built } from './helpers/dist.js';
import { entryPoints } from './helpers/entry-points.js';

const ROOT = new URL('../', import.meta.url);

/** Every entry point's names: runtime values (functions, classes, constants) and names that are only types. */
const SURFACE: Record<string, { runtime: readonly string[]; types: readonly string[] }> = {
  'glassnet': {
    runtime: [
      'ACTIVATIONS', 'ARTICLE', 'ARTICLE_PRINTED', 'AUTOENCODER_8_3_8', 'Adagrad', 'Adam', 'AdamW', 'CsvReader',
      'DELIMITER_WORDS', 'Dense', 'Dropout', 'FINITE', 'FRACTION', 'GlassnetError', 'INITIALIZERS', 'IRIS_CSV',
      'LOSSES', 'LOSS_RECORDS', 'MAX_AUTO_CLASSES', 'MAX_CATEGORIES', 'MISSING_POLICIES', 'MISSING_TOKENS',
      'NON_NEGATIVE', 'OPTIMIZERS', 'Optimizer', 'POSITIVE', 'RATE', 'RMSProp', 'Random', 'SCALER_KINDS',
      'SCHEDULES', 'SGD', 'SYNTHETIC', 'Scaler', 'Sequential', 'Tensor', 'TrainedModel', 'Trainer',
      'TrainingSession', 'UNIT', 'add', 'applyFill', 'applySchedule', 'articleNetwork', 'backward',
      'binaryCrossEntropy', 'binaryCrossEntropyWithLogits', 'checkDelimiter', 'checkFinite', 'checkInteger',
      'checkLoss', 'checkNumber', 'checkOneOf', 'checkOptions', 'circles', 'classIndices', 'classificationReport',
      'classOfRow', 'clipGradNorm', 'columnIndex', 'cosineAnnealing', 'createOptimizer', 'createSession', 'decodeLabels', 'decodeText', 'defaultLoss',
      'denseInference', 'describeValue', 'detectDelimiter', 'div', 'dropout', 'elementwise', 'encodeLabels',
      'encodingFromJSON', 'evaluate', 'evaluateOutputs', 'exponentialDecay', 'featureBatches', 'fillMissing', 'fit', 'fitScaler',
      'formatCsvRow', 'formatModelFile', 'forwardRows', 'fromOnnx', 'fromSafetensors', 'fromTfjs',
      'fromTorchStateDict', 'gaussians', 'getLoss', 'gradCheck', 'huber', 'iris', 'isClassificationLoss',
      'leakyRelu', 'loadFeatures', 'loadJsonData', 'loadMatrixStream', 'loadTable', 'loadTableChunks',
      'loadTableStream', 'loadWeightsInto', 'mae', 'matmul', 'matrixFromRows', 'matrixToRows', 'mean', 'mlp', 'modelFromJSON',
      'modelToJSON', 'mse', 'mul', 'networkFrom', 'noGrad', 'oneHot', 'oneHotCodes', 'onnxInputs', 'outputColumns', 'parseCsv',
      'parseNumber', 'quantile', 'regressionReport', 'relu', 'reshape', 'rowRange', 'scale', 'scalerFromJSON', 'scheduleFrom', 'sigmoid',
      'softmax', 'softmaxCrossEntropy', 'sortedClasses', 'spirals', 'splitMatrices', 'squaredError', 'stepDecay',
      'sub', 'sum', 'tanh', 'targetsForLoss', 'tensor', 'toFlat', 'toOnnx', 'toSafetensors', 'toTfjs', 'toTorchStateDict',
      'torchArchitectureFromJSON', 'torchSource', 'trainAutoencoder', 'trainStep', 'trainTestSplit', 'transpose',
      'warmup', 'withObserver', 'xor', 'zeros',
    ],
    types: [
      'ActivationName', 'AdagradOptions', 'AdamOptions', 'ArticleSlip', 'AsyncTextChunks', 'AutoencoderRecipe',
      'AutoencoderResult', 'BatchInfo', 'BiasLayout', 'CheckedExtras', 'ClassReport', 'ClassificationReport',
      'ColumnRef', 'CosineAnnealingOptions', 'CsvData', 'CsvMatrices', 'CsvOptions', 'CsvTable', 'DType', 'Dataset',
      'DenseOptions', 'DenseSpec', 'DropoutOptions', 'DropoutSpec', 'EarlyStoppingOptions', 'EarlyStoppingState',
      'EncodedLabels', 'EpochInfo', 'ErrorCode', 'ErrorDetails', 'Evaluation', 'ExponentialDecayOptions',
      'FeatureEncoding', 'FeatureOptions', 'Features', 'FitOptions', 'FitResult', 'FitState', 'Flat',
      'GradCheckEntry', 'GradCheckOptions', 'GradCheckResult', 'ImportedOnnx', 'InitializerName', 'Intermediates',
      'Interval', 'JsonDataOptions', 'JsonObject', 'JsonValue', 'LRSchedule', 'Layer', 'LayerSnapshot', 'LayerSpec',
      'LayerState', 'LoadedModel', 'LossFunction', 'LossName', 'LossOptions', 'Matrix', 'MissingPolicy',
      'MlpOptions', 'ModelExtras', 'ModelFile', 'NestedNumbers', 'NetworkSpec', 'Node', 'Observer',
      'OnnxExportOptions', 'OnnxInput', 'OptimizerKind', 'OptimizerName', 'OptimizerOptionsMap', 'OptimizerState', 'OutputReading',
      'Preprocessing', 'PrintedValue', 'RMSPropOptions', 'RegressionReport', 'RngState', 'SGDOptions', 'SafeTensor',
      'SafetensorsContents', 'SafetensorsDType', 'ScalerJSON', 'ScalerKind', 'ScheduleName', 'ScheduleSpec',
      'SessionData', 'SessionOptions', 'SessionSnapshot', 'SessionStep', 'SplitOptions', 'StepDecayOptions',
      'StopReason', 'SyntheticName', 'SyntheticOptions', 'Table', 'TableOptions', 'Task', 'TensorOptions',
      'TextChunks', 'TfjsModel', 'TfjsModelJson', 'TfjsWeightSpec', 'TorchArchitecture', 'TrainedModelOptions',
      'TrainerOptions', 'TrainingInfo', 'WarmupOptions',
    ],
  },
  'glassnet/backend': {
    runtime: [
      'BACKENDS', 'ELEMENTWISE', 'SMALL_MATMUL_WORK', 'THREADED_MATMUL_WORK', 'closeWasmThreads', 'createWasmBackend',
      'defaultWasmThreads', 'erf', 'getBackend', 'jsBackend', 'jsFastBackend', 'selectBestBackend', 'setBackend',
      'wasmSimdSupported', 'withWasmThreads',
    ],
    types: [
      'Backend', 'BackendName', 'BinaryKind', 'Elementwise', 'ElementwiseName', 'FloatArray', 'PointLossKind',
      'UnaryKind', 'WasmBackend', 'WasmBackendOptions',
    ],
  },
  'glassnet/explain': {
    runtime: [
      'DETAIL_LIMITS', 'LANGUAGES', 'explainStep', 'exprLatex', 'exprText', 'formatNumber', 'messagesFor',
      'namesFor', 'noteText', 'renderMarkdown', 'renderText', 'renderTextSummaryLine', 'symLatex', 'symText',
      'toJSON',
    ],
    types: [
      'ArticleValue', 'BiasRecord', 'DerivationStep', 'DerivationStepJSON', 'Detail', 'ExplainOptions',
      'Explanation', 'ExplanationJSON', 'Expr', 'Factor', 'FactorJSON', 'Language', 'LayerRecord', 'LayerSummary',
      'LossRecord', 'Messages', 'Names', 'NamingScheme', 'Note', 'NoteKind', 'Paint', 'PerSample', 'RecordOptions',
      'RenderOptions', 'Rows', 'Section', 'Summary', 'Sym', 'Tables', 'TextOptions', 'TextStyle', 'TrainingTrace',
      'UserNames',
    ],
  },
  'glassnet/node': {
    runtime: [
      'crc32Float64', 'loadModel', 'loadOnnx', 'loadSafetensors', 'loadTfjs', 'loadTorchStateDict', 'loadTrained',
      'readTextChunks', 'removeTempFilesSync', 'saveModel', 'saveOnnx', 'saveSafetensors', 'saveTfjs',
      'saveTorchStateDict', 'saveTrained', 'writeFileAtomic',
    ],
    types: [

    ],
  },
};

/** The names each source entry point exports that are types only (no runtime value), per the compiler. */
function typeOnlyExports(): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(new URL('tsconfig.json', ROOT).pathname, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const entries = entryPoints();
  const program = ts.createProgram(entries.map((e) => new URL(e.source, ROOT).pathname), config!.options);
  const checker = program.getTypeChecker();
  return new Map(entries.map(({ specifier, source }) => {
    const module = checker.getSymbolAtLocation(program.getSourceFile(new URL(source, ROOT).pathname)!)!;
    const names = checker.getExportsOfModule(module).filter((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return (target.flags & ts.SymbolFlags.Value) === 0;
    }).map((symbol) => symbol.name);
    return [specifier, names.sort()];
  }));
}

describe('the public entry points', () => {
  it('are the ones package.json exports', () => {
    expect(entryPoints().map((e) => e.specifier).sort()).toEqual(Object.keys(SURFACE).sort());
  });

  it.each(entryPoints())('$specifier exports exactly its listed runtime names', async ({ specifier, built: path }) => {
    const module = (await import(pathToFileURL(built('glassnet', path.replace(/^packages\/glassnet\/dist\//, ''))).href)) as object;
    expect(Object.keys(module).sort(), `${specifier}: update SURFACE in test/public-api.test.ts if the change is deliberate`).toEqual([...SURFACE[specifier]!.runtime].sort());
  });

  it('each entry point exports exactly its listed type names', () => {
    for (const [specifier, names] of typeOnlyExports()) {
      expect(names, `${specifier}: update SURFACE in test/public-api.test.ts if the change is deliberate`).toEqual([...SURFACE[specifier]!.types].sort());
    }
  });
});
