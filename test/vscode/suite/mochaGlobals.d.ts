// The few mocha (tdd ui) globals the extension-host suites use. Declared here instead of pulling in
// @types/mocha so the root typecheck works before test/vscode's own packages are installed.
interface SO100MochaContext {
  timeout(ms: number): void;
}
type SO100MochaFn = (this: SO100MochaContext) => void | Promise<void>;
declare function suite(title: string, fn: (this: SO100MochaContext) => void): void;
declare function test(title: string, fn: SO100MochaFn): void;
declare function suiteSetup(fn: SO100MochaFn): void;
declare function suiteTeardown(fn: SO100MochaFn): void;
declare function setup(fn: SO100MochaFn): void;
declare function teardown(fn: SO100MochaFn): void;
