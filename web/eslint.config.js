// ESLint for the page's TypeScript: the recommended rules of ESLint, typescript-eslint and React
// hooks, and the import boundaries of the feature folders (bulletproof-react's rule): a feature
// uses api/, lib/ and its own files only; features are put together in pages/ and App.tsx.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["dist/**", "node_modules/**", "e2e/**", "scripts/**", "src/api/schema.gen.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  {
    files: ["src/features/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^\\.\\./(?!\\.\\.)[^/]+/",
              message: "a feature does not import another feature; put them together in src/pages",
            },
            {
              regex: "^(\\.\\./)+(features|pages)/",
              message: "a feature does not import another feature or a page",
            },
          ],
        },
      ],
    },
  },
);
