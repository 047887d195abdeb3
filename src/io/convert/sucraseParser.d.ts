// Types for the two internal modules of sucrase the converter compiler reads import specifiers with (the package
// ships no declarations for its deep paths; these cover only what is used).
declare module 'sucrase/dist/parser' {
  export function parse(
    input: string,
    isJSXEnabled: boolean,
    isTypeScriptEnabled: boolean,
    isFlowEnabled: boolean,
  ): { tokens: { type: number; start: number; end: number }[] };
}
declare module 'sucrase/dist/parser/tokenizer/types' {
  export const TokenType: { readonly string: number; readonly parenL: number; readonly _import: number };
}
