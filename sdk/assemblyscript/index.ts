// The package's entry: `import { ... } from "@arbiterhq/arbiter-as"`.
export * from "./assembly/index";
