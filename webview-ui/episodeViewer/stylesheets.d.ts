// Stylesheets imported by a page are bundled by esbuild into the page's .css file; to TypeScript they are empty.
declare module '*.css';
