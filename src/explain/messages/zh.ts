import type { Messages } from './types.js';

/** 中文, in the seed article's own terms (前向传播, 总误差, 反向传播, 权值更新, 权重, 截距, 激活函数). */
export const zh: Messages = {
  step: (iteration, sizes, activations, loss, lr, samples) =>
    `第 ${iteration} 步：网络 ${sizes}（激活函数 ${activations}），误差 ${loss}，η = ${lr}，${samples} 个样本`,
  sections: { forward: '前向传播', error: '总误差', backward: '反向传播（链式法则）', update: '权值更新' },
  inputs: '输入层',
  targets: '目标值',
  sample: (n) => `样本 ${n}`,
  samples: '样本',
  parameters: '参数（权重与截距）',
  parameter: '参数',
  before: '更新前',
  after: '更新后',
  fixed: '固定',
  summary: '概要',
  notes: '说明',
  parameterCount: (n) => `${n} 个参数`,
  articlePrints: (printed, note) => `≠ 原文为 ${printed}${note === undefined ? '' : `（说明 ${note}）`}`,
  articlePrintsHere: (printed, note) => `原文此处为 ${printed}${note === undefined ? '' : `（说明 ${note}）`}。`,
  values: (n) => `${n} 个值（见 --format json）`,
  note: {
    autograd: () => '每个值都读自 glassnet 自己的前向传播和反向传播（自动微分）；写成若干因子之积的梯度，其值就是自动微分算出的值。',
    fixedBias: ({ names }) => `${names.join('、')} 是固定的（不参与训练）：没有梯度，也不更新。`,
    sharedBias: ({ name, layer }) => `${name} 由 ${layer} 的所有神经元共用：它的梯度是这些神经元的 ∂E/∂NET 之和。`,
    linear: ({ layer }) => `${layer} 是线性的：OUT = NET，所以 ∂OUT/∂NET = 1。`,
    softmaxInLoss: () => 'softmaxCrossEntropy 在误差函数内部做 softmax：输出层给出 NET = OUT（logits），p = softmax(OUT)，∂E/∂OUT = (p − t)/样本数。',
    averaged: ({ samples }) => `总误差是 ${samples} 个样本的平均（1/${samples} 已含在 ∂E/∂OUT 中）；梯度是各样本乘积之和。`,
    float32: () => '模型以 float32 计算：数值带有 float32 的舍入误差（约 7 位有效数字）。',
    articleDiffers: ({ quantity, printed, computed, rounded, decimals, slip }) =>
      `原文印的是 ${quantity} = ${printed}；glassnet 算得 ${computed}（${rounded}，取原文的 ${decimals} 位小数）：${slip === null ? '没有记录原因' : zh.slips[slip]}。`,
    refused: ({ by, samples, parameters, limit }) => `不显示全部细节：${by === 'samples'
      ? `${samples} 个样本（上限 ${limit}），请少解释几个样本`
      : `${parameters} 个参数（未选择时上限 ${limit}），请用 only（--only）选出神经元或参数，例如 --only w1.1.1,h1.1`}。下面只显示概要。`,
  },
  slips: {
    truncatedProduct: '原文在相加之前把 0.35·0.601327636 = 0.2104646726 截成了 0.210464672；精确的和 1.0911505256 四舍五入为 1.091150526',
    halvedTwice: '原文乘了两次 ½：¼·(0.5 − 0.748598311)² = 0.01545028，而 ½·(0.5 − 0.748598311)² = 0.030900560（原文的 E(o2) 正确地只乘了一次 ½）',
    addsHalvedTwice: '原文加的是乘了两次 ½ 的 E(o1)；若 E(o1) = 0.030900560，总误差为 0.040733806。梯度不用 E(o1)，所以权值更新不受影响',
  },
  summaryColumns: ['层', '神经元', '激活函数'],
};
