// The `mnist` package ships no types; cli/digits.ts checks the shape of what it loads.
declare module 'mnist';
