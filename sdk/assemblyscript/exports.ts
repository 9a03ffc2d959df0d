// The ABI exports. A module's entry file must re-export them:
//   export * from "@arbiterhq/arbiter-as/exports";
export * from "./assembly/exports";
