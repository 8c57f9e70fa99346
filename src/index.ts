/**
 * glassnet: neural networks in TypeScript that train fast and can show
 * every number of forward and backward propagation.
 *
 * This is the core entry point: tensors and autograd, layers and models,
 * optimizers, training, data and the browser-safe model formats. The other
 * entry points: `glassnet/backend` (choosing and building compute
 * backends, the kernel records), `glassnet/explain` (one step written out)
 * and `glassnet/node` (reading and writing files, Node only).
 *
 * It exports what a user (and the command and the playground, which import
 * only entry points) calls, and the types of those calls; helpers that only
 * the library itself uses stay in their modules. test/public-api.test.ts
 * holds the list, so a name added here is a deliberate change.
 */
export { GlassnetError, describeValue, type ErrorCode, type ErrorDetails } from './errors.js';
export {
  checkOneOf, checkNumber, checkInteger, checkFinite, checkOptions,
  FINITE, NON_NEGATIVE, POSITIVE, UNIT, RATE, FRACTION, type Interval,
} from './util/checks.js';
export { Random } from './util/random.js';
export { quantile } from './util/quantile.js';

// Tensors, autograd and the differentiable ops.
export { Tensor, tensor, zeros, type DType, type NestedNumbers, type TensorOptions } from './tensor/tensor.js';
export { backward, noGrad, withObserver, type Node, type Observer, type Intermediates } from './tensor/autograd.js';
export {
  matmul, add, sub, mul, div, scale, dropout, sigmoid, tanh, relu, leakyRelu, elementwise, softmax, sum, mean, transpose, reshape, denseInference,
  squaredError, mse, mae, huber, binaryCrossEntropy, binaryCrossEntropyWithLogits, softmaxCrossEntropy, type LossOptions,
} from './tensor/ops.js';

// Layers, models, activations, losses, initialisers.
export { ACTIVATIONS, type ActivationName } from './nn/activations.js';
export { LOSSES, LOSS_RECORDS, classOfRow, defaultLoss, getLoss, checkLoss, outputColumns, type LossName, type LossFunction, type OutputReading } from './nn/losses.js';
export { INITIALIZERS, type InitializerName } from './nn/init.js';
export { Dense, Dropout, type DenseOptions, type DropoutOptions, type Layer } from './nn/layers.js';
export { Sequential, mlp, type MlpOptions } from './nn/model.js';

// Optimizers and learning-rate schedules.
export { Optimizer, type OptimizerKind, type OptimizerState } from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, AdamW, type AdamOptions } from './optim/adam.js';
export { RMSProp, type RMSPropOptions } from './optim/rmsprop.js';
export { Adagrad, type AdagradOptions } from './optim/adagrad.js';
export { OPTIMIZERS, createOptimizer, type OptimizerName, type OptimizerOptionsMap } from './optim/factory.js';
export {
  stepDecay, exponentialDecay, cosineAnnealing, warmup, applySchedule,
  type LRSchedule, type StepDecayOptions, type ExponentialDecayOptions, type CosineAnnealingOptions, type WarmupOptions,
} from './optim/schedules.js';
export { clipGradNorm } from './optim/clip.js';

// Training, evaluation, gradient checking, sessions.
export {
  fit, type FitOptions, type FitResult, type FitState, type EarlyStoppingState, type EpochInfo, type BatchInfo, type EarlyStoppingOptions, type StopReason,
} from './train/fit.js';
export { trainStep } from './train/step.js';
export { Trainer, type TrainerOptions } from './train/trainer.js';
export { evaluate, evaluateOutputs, forwardRows, isClassificationLoss, type Evaluation } from './train/evaluate.js';
export { classificationReport, classIndices, regressionReport, type ClassificationReport, type ClassReport, type RegressionReport } from './train/metrics.js';
export { gradCheck, type GradCheckOptions, type GradCheckResult, type GradCheckEntry } from './train/gradcheck.js';
export {
  TrainingSession, createSession, networkFrom, scheduleFrom, SCHEDULES,
  type SessionOptions, type SessionData, type SessionStep, type SessionSnapshot, type LayerSnapshot, type NetworkSpec, type ScheduleName, type ScheduleSpec,
} from './train/session.js';

// The article's network and the worked examples.
export { ARTICLE, ARTICLE_PRINTED, articleNetwork, type ArticleSlip, type PrintedValue } from './data/article.js';
export { oneHotCodes, type Dataset } from './data/datasets.js';
export { AUTOENCODER_8_3_8, trainAutoencoder, type AutoencoderRecipe, type AutoencoderResult } from './examples/autoencoder.js';

// Data: CSV and JSON tables, encoding, scaling, splitting, built-in data sets.
export { decodeText } from './data/text.js';
export { parseCsv, CsvReader, checkDelimiter, detectDelimiter, DELIMITER_WORDS, formatCsvRow, type CsvOptions, type CsvTable } from './data/csv.js';
export {
  columnIndex, loadTable, loadTableChunks, loadTableStream, loadMatrixStream, fillMissing, applyFill, featureBatches, loadFeatures, encodingFromJSON,
  MAX_CATEGORIES, MAX_AUTO_CLASSES, MISSING_POLICIES, MISSING_TOKENS,
  type Table, type CsvData, type CsvMatrices, type Task, type ColumnRef, type FeatureOptions, type TableOptions, type Features, type FeatureEncoding, type MissingPolicy, type TextChunks, type AsyncTextChunks,
} from './data/table.js';
export { parseNumber, oneHot, sortedClasses, encodeLabels, decodeLabels, type EncodedLabels } from './data/encode.js';
export { loadJsonData, type JsonDataOptions } from './data/json.js';
export { SCALER_KINDS, Scaler, fitScaler, scalerFromJSON, type ScalerKind, type ScalerJSON } from './data/scaling.js';
export { trainTestSplit, splitMatrices, type SplitOptions } from './data/split.js';
export { matrixFromRows, matrixToRows, rowRange, targetsForLoss, toFlat, type Matrix, type Flat } from './data/matrix.js';
export { xor, circles, spirals, gaussians, SYNTHETIC, type SyntheticName, type SyntheticOptions } from './data/synthetic.js';
export { iris, IRIS_CSV } from './data/iris.js';

// Model formats, in memory (glassnet/node reads and writes the files).
export {
  modelToJSON, modelFromJSON, formatModelFile,
  type ModelFile, type LoadedModel, type ModelExtras, type CheckedExtras, type Preprocessing, type TrainingInfo,
  type LayerSpec, type DenseSpec, type DropoutSpec, type LayerState, type BiasLayout, type JsonValue, type JsonObject, type RngState,
} from './io/modelfile.js';
export { toSafetensors, fromSafetensors, loadWeightsInto, type SafeTensor, type SafetensorsContents, type SafetensorsDType } from './io/safetensors.js';
export { toOnnx, onnxInputs, type OnnxExportOptions, type OnnxInput } from './io/onnx-export.js';
export { fromOnnx, type ImportedOnnx } from './io/onnx-import.js';
export { toTfjs, fromTfjs, type TfjsModel, type TfjsModelJson, type TfjsWeightSpec } from './io/tfjs.js';
export { toTorchStateDict, fromTorchStateDict, torchSource, torchArchitectureFromJSON, type TorchArchitecture } from './io/torch.js';
export { TrainedModel, type TrainedModelOptions } from './io/trained.js';
