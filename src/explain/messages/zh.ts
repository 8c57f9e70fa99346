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
};
