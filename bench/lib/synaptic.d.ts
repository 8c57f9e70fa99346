/** The parts of synaptic 1.1.4 the bench uses (the package ships no types). */
declare module 'synaptic' {
  export interface Connection {
    from: Neuron;
    weight: number;
  }
  export interface Neuron {
    bias: number;
    connections: { inputs: Record<string, Connection> };
  }
  export interface Layer {
    list: Neuron[];
  }
  export interface Network {
    layers: { input: Layer; hidden: Layer[]; output: Layer };
    activate(input: ArrayLike<number>): number[];
    propagate(rate: number, target: ArrayLike<number>): void;
  }
  const synaptic: {
    Architect: { Perceptron: new (...layerSizes: number[]) => Network };
  };
  export default synaptic;
}
