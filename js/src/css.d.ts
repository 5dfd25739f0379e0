// style.css is bundled by esbuild (index.js imports it for its side effect).
declare module "*.css";
