// Types for no-type-cycle.js (plain JavaScript, because eslint.config.js loads it without a TypeScript loader).
import type { ESLint, Rule } from "eslint";

export declare const noTypeCycle: Rule.RuleModule;
declare const plugin: ESLint.Plugin & { rules: { "no-type-cycle": Rule.RuleModule } };
export default plugin;
