// Lint rules for the module; `pepr build` checks them (and prettier's formatting) before bundling.
// The import arrows point one way: lib/ and capabilities/ build on schemas/, never the reverse; the real-guest
// runtime (test/guest) plugs into the simulator (test/simulator), never the reverse; libraries by their public entry.
const deepImports = { regex: "^@kubernetes/client-node/", message: "import @kubernetes/client-node's public entry: its dist/ layout changes between releases" };
import tsParser from "@typescript-eslint/parser";
import tsPlugin from "@typescript-eslint/eslint-plugin";

export default [
  { ignores: ["node_modules/**", "dist/**", "coverage/**", ".wukong/**"] },
  {
    files: ["**/*.ts"],
    languageOptions: { parser: tsParser, sourceType: "module" },
    plugins: { "@typescript-eslint": tsPlugin },
    rules: {
      ...tsPlugin.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": ["error", { patterns: [deepImports] }],
    },
  },
  {
    files: ["schemas/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            deepImports,
            { regex: "^(\\.\\./)+(lib|capabilities|test)(/|$)", message: "schemas/ is the API: move what it shares with lib/ into schemas/" },
          ],
        },
      ],
    },
  },
  {
    files: ["test/simulator/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            deepImports,
            {
              regex: "^(\\.\\./)+guest(/|$)",
              message: "the simulator must not import test/guest: the guest runtime plugs in through test/simulator/node-runtime.ts",
            },
          ],
        },
      ],
    },
  },
];
