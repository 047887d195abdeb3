// Types of scripts/build-wasm.mjs, for the test that keeps the generated modules in step with their WAT sources.
export declare const WASM_MODULES: readonly { readonly wat: string; readonly ts: string; readonly name: string }[];
export declare function compileWat(watPath: string): Promise<Uint8Array>;
export declare function wasmModuleText(bytes: Uint8Array, watFile: string, name: string): string;
export declare function generatedModules(): Promise<Map<string, string>>;
