/**
 * The year plan pages' form fields as their templates draw them (partials console-plan-field and
 * console-plan-select): a label, an optional hint, the error beside the field (and
 * `aria-invalid`), both tied to the field by `aria-describedby`.
 */
export interface FieldView {
  id: string;
  name: string;
  label: string;
  type: string;
  /** A text area instead of an input. */
  textarea: boolean;
  value: string;
  hint?: string;
  error?: string;
  describedBy?: string;
  required?: boolean;
  min?: string | number;
  max?: string | number;
  step?: string;
  maxlength?: number;
  options?: { value: string; label: string; selected: boolean }[];
}

export interface FieldSpec {
  label: string;
  value: string;
  type?: string;
  /** The form field's name; the id unless given. */
  name?: string;
  hint?: string;
  error?: string;
  required?: boolean;
  min?: string | number;
  max?: string | number;
  step?: string;
  maxlength?: number;
  options?: { value: string; label: string }[];
}

/** A field's view: `id` is unique on the page; the options of a select are marked by the value. */
export function fieldView(id: string, spec: FieldSpec): FieldView {
  const described = [spec.hint ? `${id}-hint` : '', spec.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    id,
    name: spec.name ?? id,
    label: spec.label,
    type: spec.type ?? 'text',
    textarea: spec.type === 'textarea',
    value: spec.value,
    hint: spec.hint,
    error: spec.error,
    describedBy: described || undefined,
    required: spec.required,
    min: spec.min,
    max: spec.max,
    step: spec.step,
    maxlength: spec.maxlength,
    options: spec.options?.map((o) => ({ ...o, selected: o.value === spec.value })),
  };
}
