// Renders the Homebrew formula template. Pure, so it is tested without a release.
export interface FormulaValues {
  version: string;
  url: string;
  sha256: string;
  homepage: string;
}

export function renderFormula(template: string, values: FormulaValues): string {
  if (!/^[0-9a-f]{64}$/.test(values.sha256)) throw new Error(`not a sha256: ${values.sha256}`);
  const out = template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const v = values[key as keyof FormulaValues];
    if (v === undefined) throw new Error(`template asks for unknown value ${key}`);
    return v;
  });
  return out;
}
