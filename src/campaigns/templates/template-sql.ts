import type { SqlParams } from '../../database/sql';
import {
  missingVariableReason,
  requiredVariables,
  TemplateSegment,
  variableNames,
} from './template-renderer';

/**
 * The renderer (template-renderer.ts) expressed in SQL, so a million recipients are rendered by
 * Postgres in one INSERT … SELECT instead of being loaded into memory.
 *
 * `variablesLateral` computes each variable once per contact row (alias `c`: a contacts row) as
 * columns v0, v1…; `textExpression` and `missingReasonExpression` read those columns (alias `v`).
 * `attributeKeys` are the attribute names present in the list: matching a variable to them here,
 * once, spares Postgres a case-insensitive search through every contact's attributes.
 */
export class TemplateSql {
  private readonly columns = new Map<string, string>();

  constructor(
    private readonly segments: readonly TemplateSegment[],
    private readonly params: SqlParams,
    private readonly attributeKeys: readonly string[],
  ) {
    variableNames(segments).forEach((name, index) => this.columns.set(name, `v${index}`));
  }

  variablesLateral(): string {
    const columns = [...this.columns].map(([name, column]) => `${this.lookup(name)} AS ${column}`);
    return `CROSS JOIN LATERAL (SELECT ${columns.length > 0 ? columns.join(', ') : 'NULL AS none'}) v`;
  }

  textExpression(): string {
    if (this.segments.length === 0) return `''`;
    const parts = this.segments.map((segment) => {
      if (segment.kind === 'text') return `${this.params.add(segment.value)}::text`;
      const column = `v.${this.columns.get(segment.name)}`;
      return segment.fallback === undefined
        ? column
        : `coalesce(${column}, ${this.params.add(segment.fallback)}::text)`;
    });
    return `concat(${parts.join(', ')})`;
  }

  /** NULL when every required variable has a value, else the skip reason naming the first missing one. */
  missingReasonExpression(): string {
    const required = requiredVariables(this.segments);
    if (required.length === 0) return 'NULL::text';
    const branches = required.map(
      (name) =>
        `WHEN v.${this.columns.get(name)} IS NULL THEN ${this.params.add(missingVariableReason(name))}::text`,
    );
    return `CASE ${branches.join(' ')} END`;
  }

  /** Mirrors lookupVariable(): own columns for name/phone, then the exact attribute key, then other spellings of it. */
  private lookup(variable: string): string {
    const lower = variable.toLowerCase();
    const keys = [
      ...this.attributeKeys.filter((key) => key === variable),
      ...this.attributeKeys.filter((key) => key !== variable && key.toLowerCase() === lower),
    ];
    const values = keys.map((key) => `nullif(btrim(c.attributes ->> ${this.params.add(key)}::text), '')`);
    const fromAttributes = values.length === 0 ? 'NULL::text' : `coalesce(${values.join(', ')})`;
    switch (lower) {
      case 'name':
        return `coalesce(nullif(btrim(c.name), ''), ${fromAttributes})`;
      case 'phone':
        return 'c.phone';
      default:
        return fromAttributes;
    }
  }
}
