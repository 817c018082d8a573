// Every training parameter of the plan, drawn from the server's parameter table (GET
// /api/settings). Validation messages and the estimate come from the server (POST
// training-plan) as the user types.
import type { FieldProblem, Parameters, ParameterSpec, ParameterValue } from "../../api/types";

interface Props {
  parameters: Parameters;
  defaults: Parameters;
  table: ParameterSpec[];
  problems: FieldProblem[];
  disabled: boolean;
  onChange: (name: string, value: ParameterValue) => void;
}

export function ParametersForm({ parameters, defaults, table, problems, disabled, onChange }: Props) {
  const problemOf = (name: string) =>
    problems
      .filter((p) => p.field === name)
      .map((p) => p.message)
      .join("; ");
  return (
    <div className="params-grid">
      {table
        .filter((g) => g.name in parameters)
        .map((g) => {
          const value = parameters[g.name];
          const problem = problemOf(g.name);
          const id = "param-" + g.name;
          const changed = defaults[g.name] !== undefined && defaults[g.name] !== value;
          let input;
          if (g.kind === "flag" && typeof value === "boolean") {
            input = (
              <input
                id={id}
                type="checkbox"
                checked={value}
                disabled={disabled}
                onChange={(e) => onChange(g.name, e.target.checked)}
              />
            );
          } else if (g.kind === "choice") {
            input = (
              <select
                id={id}
                value={String(value)}
                disabled={disabled}
                onChange={(e) => onChange(g.name, e.target.value)}
              >
                {g.choices.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            );
          } else if (typeof value === "number") {
            input = (
              <input
                id={id}
                type="number"
                inputMode="decimal"
                step={g.step ?? "any"}
                min={g.min ?? undefined}
                max={g.max ?? undefined}
                value={String(value)}
                disabled={disabled}
                aria-invalid={!!problem}
                aria-describedby={problem ? id + "-problem" : undefined}
                onChange={(e) => onChange(g.name, e.target.value === "" ? Number.NaN : Number(e.target.value))}
              />
            );
          } else {
            input = (
              <input
                id={id}
                type="text"
                value={String(value)}
                disabled={disabled}
                aria-invalid={!!problem}
                onChange={(e) => onChange(g.name, e.target.value)}
              />
            );
          }
          return (
            <div key={g.name} className={"field" + (problem ? " invalid" : "") + (changed ? " changed" : "")}>
              <label htmlFor={id} title={g.what}>
                {g.label}
              </label>
              {input}
              {problem && (
                <span id={id + "-problem"} className="field-problem" role="alert">
                  {problem}
                </span>
              )}
            </div>
          );
        })}
    </div>
  );
}
