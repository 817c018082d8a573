// Every training parameter of the plan, edited as the server defines them. Validation
// messages and the estimate come from the server (POST training-plan) as the user types.
import type { FieldProblem, Parameters, ParameterValue } from "../../api/types";
import { GUIDELINES } from "./guidelines";

interface Props {
  parameters: Parameters;
  defaults: Parameters;
  choices: Record<string, string[]>;
  problems: FieldProblem[];
  disabled: boolean;
  onChange: (name: string, value: ParameterValue) => void;
}

export function ParametersForm({ parameters, defaults, choices, problems, disabled, onChange }: Props) {
  const problemOf = (name: string) => problems.filter((p) => p.field === name).map((p) => p.message).join("; ");
  return (
    <div className="params-grid">
      {GUIDELINES.filter((g) => g.name in parameters).map((g) => {
        const value = parameters[g.name];
        const problem = problemOf(g.name);
        const id = "param-" + g.name;
        const changed = defaults[g.name] !== undefined && defaults[g.name] !== value;
        let input;
        if (typeof value === "boolean") {
          input = (
            <input id={id} type="checkbox" checked={value} disabled={disabled}
              onChange={(e) => onChange(g.name, e.target.checked)} />
          );
        } else if (choices[g.name]) {
          input = (
            <select id={id} value={String(value)} disabled={disabled} onChange={(e) => onChange(g.name, e.target.value)}>
              {choices[g.name]!.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          );
        } else if (typeof value === "number") {
          input = (
            <input id={id} type="number" inputMode="decimal" step="any" value={String(value)} disabled={disabled}
              aria-invalid={!!problem} aria-describedby={problem ? id + "-problem" : undefined}
              onChange={(e) => onChange(g.name, e.target.value === "" ? Number.NaN : Number(e.target.value))} />
          );
        } else {
          input = (
            <input id={id} type="text" value={String(value)} disabled={disabled}
              aria-invalid={!!problem} onChange={(e) => onChange(g.name, e.target.value)} />
          );
        }
        return (
          <div key={g.name} className={"field" + (problem ? " invalid" : "") + (changed ? " changed" : "")}>
            <label htmlFor={id} title={g.what}>{g.label}</label>
            {input}
            {problem && <span id={id + "-problem"} className="field-problem" role="alert">{problem}</span>}
          </div>
        );
      })}
    </div>
  );
}
